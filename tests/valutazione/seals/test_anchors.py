"""Anchors outside the file: the ranking PDF exported after the approval catches a cut and re-headed log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_readme_walkthrough import run_blocks
from valutazione.cli import main


@pytest.fixture(scope="module")
def procedure(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's sample procedure, run as written (it exports graduatoria.pdf after the final approval)."""
    tmp_path = tmp_path_factory.mktemp("walkthrough")
    run_blocks(tmp_path, "walkthrough")
    return tmp_path


def test_untouched_file_passes_against_the_ranking_pdf(procedure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The file as the procedure left it still holds the anchor printed on graduatoria.pdf."""
    assert (
        main(["audit", "verify", str(procedure / "bando.valutazione"), "--against", str(procedure / "graduatoria.pdf")])
        == 0
    )
    assert "ancora presente nel registro" in capsys.readouterr().out


def test_cut_log_tail_with_moved_head_is_caught_by_the_document(
    procedure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Log rows deleted at the end and the stored head moved: the PDF's anchor is missing, exit 1, named."""
    import shutil

    from valutazione.seals.anchors import read_document

    anchor = read_document(procedure / "graduatoria.pdf").anchor
    assert anchor is not None

    copy = tmp_path / "bando.valutazione"
    shutil.copyfile(procedure / "bando.valutazione", copy)
    con = sqlite3.connect(copy)
    con.execute("DROP TRIGGER audit_no_delete")
    con.execute("DELETE FROM audit WHERE id >= (SELECT id FROM audit WHERE hash = ?)", (anchor.head,))
    con.execute("UPDATE bando SET audit_head = (SELECT hash FROM audit ORDER BY id DESC LIMIT 1)")
    con.commit()
    con.close()
    assert main(["audit", "verify", str(copy), "--against", str(procedure / "graduatoria.pdf")]) == 1
    out = capsys.readouterr().out
    assert "Documento «graduatoria.pdf»: ancora mancante" in out, out


def test_a_document_without_anchor_is_refused_as_evidence(procedure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PDF that carries no anchor cannot vouch for the file: said so, exit 1."""
    from reportlab.pdfgen.canvas import Canvas

    other = procedure / "altro.pdf"
    canvas = Canvas(str(other))
    canvas.drawString(100, 700, "Graduatoria")
    canvas.save()
    assert main(["audit", "verify", str(procedure / "bando.valutazione"), "--against", str(other)]) == 1
    assert "non riporta l'ancora del registro" in capsys.readouterr().out
