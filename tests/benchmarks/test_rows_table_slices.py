"""The long-table grid keeps its page cuts when a slice's height comes from running sums (issue 20)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from valutazione.reports.rows_table import RowsTable, funding_banner


def _table(n: int) -> RowsTable:
    rows: list[object] = [[str(i), f"Progetto {i} " * (1 + i % 4), f"{i * 7 % 100},00"] for i in range(n)]
    rows.insert(n // 2, funding_banner("Linea di finanziamento"))
    return RowsTable(["N.", "Titolo", "Punti"], rows, [40, 300, 60], ["right", "left", "right"])  # type: ignore[arg-type]


def test_every_slice_is_as_tall_as_its_rows() -> None:
    """Rule: a page slice's height equals its header plus the sum of its own rows, in order, all rows kept."""
    table = _table(900)
    pieces: list[RowsTable] = []
    rest = table
    while True:
        parts = rest.split(400, 700)
        if not parts:
            break
        head, rest = parts
        pieces.append(head)
        if rest.wrap(400, 700)[1] <= 700:
            pieces.append(rest)
            break
    covered = [i for p in pieces for i in range(p.start, p.stop)]
    assert covered == list(range(len(table.rows)))
    for p in pieces:
        expected = p.head.height + sum(r.height for r in p.rows[p.start : p.stop])
        assert abs(p.height - expected) < 1e-6


def test_long_table_builds_every_row_into_the_pdf(tmp_path: Path) -> None:
    """Rule: a long ranking grid prints every row exactly once across its pages."""
    out = tmp_path / "lunga.pdf"
    SimpleDocTemplate(str(out), pagesize=A4).build([_table(600)])
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Linea di finanziamento" in text
    for i in (0, 299, 599):
        assert f"Progetto {i} " in text
