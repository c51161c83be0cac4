"""Exports read back: Italian CSV, XLSX through LibreOffice, JSON, the public version, the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.valutazione.reports.conftest import MEMBERS, REPRESENTATIVES
from tests.valutazione.reports.pdftools import text_of
from tests.valutazione.reports.synth import ranking
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import Database
from valutazione.exports.documents import export, load_ranking
from valutazione.exports.tables import parameters_sheet, public_sheet, ranking_sheet
from valutazione.exports.writers import csv_bytes, json_bytes, xlsx_bytes
from valutazione.money import format_decimal_it, from_cents
from valutazione.reports.ranking_view import from_ranking


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "manca il BOM UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_is_italian_excel_and_matches_engine(milano: Bando) -> None:
    """CSV: `;` separator, UTF-8 with BOM, decimal comma; totals and grants equal the engine's."""
    g = ranking(milano, 30)
    rows = _csv_rows(csv_bytes(ranking_sheet(from_ranking(g), milano)))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Posizione", "Protocollo", "Denominazione"]
    by_protocol = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    for r in g.rows:
        line = by_protocol[r.protocol]
        assert line["Totale"] == format_decimal_it(r.total_final, thousands=False)
        assert line["Contributo assegnato"] == format_decimal_it(from_cents(r.grant_cents), thousands=False)


def test_xlsx_read_by_libreoffice_gives_engine_numbers(milano: Bando, tmp_path: Path) -> None:
    """XLSX: LibreOffice reads real numbers equal to the engine's totals and grants."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) non installato: .ci/run installa libreoffice-calc")
    g = ranking(milano, 30)
    view = from_ranking(g)
    path = tmp_path / "graduatoria.xlsx"
    path.write_bytes(xlsx_bytes([ranking_sheet(view, milano), parameters_sheet(view)]))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "out" / "graduatoria.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    by_protocol = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    for r in g.rows:
        line = by_protocol[r.protocol]
        assert Decimal(line["Totale"]) == r.total_final
        assert Decimal(line["Contributo assegnato"]) == from_cents(r.grant_cents)


def test_xlsx_has_number_formats_and_frozen_header(milano: Bando) -> None:
    """XLSX: numbers stored as numbers with € and 2-decimal formats, header frozen, one sheet per view."""
    from openpyxl import load_workbook

    view = from_ranking(ranking(milano, 30))
    book = load_workbook(io.BytesIO(xlsx_bytes([ranking_sheet(view, milano), parameters_sheet(view)])))
    assert book.sheetnames == ["Graduatoria", "Parametri"]
    ws = book["Graduatoria"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    total, grant = header.index("Totale") + 1, header.index("Contributo assegnato") + 1
    assert isinstance(ws.cell(2, total).value, int | float) and ws.cell(2, total).number_format == "0.00"
    assert "€" in ws.cell(2, grant).number_format


def test_public_exports_have_no_personal_data(committee_db: Database) -> None:
    """Public ranking (PDF, CSV, JSON): no legal representatives, no members' names or marks."""
    with committee_db.sessions() as s:
        outputs = [export(s, "graduatoria-pubblica", fmt) for fmt in ("csv", "json")]
        pdf_text = text_of(export(s, "graduatoria-pubblica", "pdf"))
    texts = [o.decode("utf-8-sig") for o in outputs] + [pdf_text]
    for text in texts:
        assert "Associazione Quartiere 1 APS" in text
        for name in (*REPRESENTATIVES, *MEMBERS):
            assert name not in text, name
        assert "Giudizio" not in text


def test_public_sheet_hides_natural_persons(milano: Bando) -> None:
    """Public ranking: an applicant with a personal (16-character) tax code is not named."""
    from dataclasses import replace

    view = from_ranking(ranking(milano, 3))
    person = replace(view.rows[0], applicant="Mario Bianchi", tax_code="BNCMRA80A01F205X")
    sheet = public_sheet(replace(view, rows=(person, *view.rows[1:])))
    flat = json.dumps([[str(c) for c in row] for row in sheet.rows])
    assert "Mario Bianchi" not in flat and "BNCMRA80A01F205X" not in flat


def test_default_ranking_is_latest_approved_version(committee_db: Database) -> None:
    """Export: without --version the latest approved version is printed, exactly as stored."""
    with committee_db.sessions() as s:
        view = load_ranking(s)
        data = json.loads(json_bytes([ranking_sheet(view, committee_db.bando())]))
    assert view.version == 1 and view.state == "provvisoria"
    assert data["Graduatoria"]["info"]["versione"] == 1


def test_cli_exports_every_document(committee_db: Database, tmp_path: Path) -> None:
    """CLI: `valutazione export` writes each document and format the committee needs."""
    path = str(committee_db.path)
    committee_db.close()
    cases = [
        ("graduatoria", "pdf"),
        ("graduatoria", "xlsx"),
        ("graduatoria-pubblica", "csv"),
        ("schede", "json"),
        ("verbale", "pdf"),
    ]
    for what, fmt in cases:
        out = tmp_path / f"{what}.{fmt}"
        args = ["export", path, "--what", what, "--format", fmt, "-o", str(out)]
        assert main(args + (["--seduta", "1"] if what == "verbale" else [])) == 0
        assert out.stat().st_size > 0
    assert main(["export", path, "--what", "verbale", "--format", "pdf", "-o", str(tmp_path / "x.pdf")]) == 2
