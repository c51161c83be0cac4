"""Public ranking: only organisations are named; a possible natural person is withheld and counted.

The hole: a person's tax code mistyped (a space, 15 characters) escaped the old «16-character personal
code» test, and an application admitted after *soccorso istruttorio* was published with name and code.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.valutazione.reports.conftest import CHAIR
from tests.valutazione.reports.pdftools import text_of
from valutazione.cli import main
from valutazione.db import Database
from valutazione.exports.documents import export
from valutazione.exports.publication import WITHHELD_NAME, is_organisation
from valutazione.models import AuditRow, Domanda
from valutazione.services import admissibility
from valutazione.services import ranking as ranking_service

PERSON = "Ildebranda Scorzafava"
MISTYPED = ("SCRLDB80A41F205", "SCRLDB 80A41 F205X")  # 15 characters; spaces inside


def _admit_person_after_rescue(db: Database, tax_code: str, legal_form: str = "") -> None:
    """A person's application, tax code mistyped, admitted after soccorso istruttorio; a new version approved."""
    with db.sessions.begin() as s:
        d = Domanda(
            protocol="PG-900",
            submitted_at=datetime(2018, 2, 20, 10, tzinfo=UTC),
            applicant=PERSON,
            legal_form=legal_form,
            tax_code=tax_code,
            legal_representative=PERSON,
            title="Orto condiviso in cortile",
            zone_text="Corvetto",
            total_cost_cents=1_000_000,
            grant_cents=800_000,
            cofinancing_cents=200_000,
        )
        s.add(d)
        s.flush()
        rescue = admissibility.request_rescue(s, d.id, "copia del documento d'identità", CHAIR, date(2018, 3, 1))
        admissibility.close_rescue(s, rescue.id, "integrata", date(2018, 3, 5), CHAIR)
        admissibility.decide(s, d.id, "ammissibile", "Integrata dopo soccorso istruttorio", CHAIR)
        ranking_service.approve(s, "provvisoria", CHAIR, "Seconda graduatoria")


def _texts(db: Database, confirm: bool = False) -> dict[str, str]:
    with db.sessions() as s:
        out = {fmt: export(s, "graduatoria-pubblica", fmt, confirm_persons=confirm) for fmt in ("csv", "json", "xlsx")}
        pdf = export(s, "graduatoria-pubblica", "pdf", confirm_persons=confirm)
    book = load_workbook(io.BytesIO(out["xlsx"]))
    xlsx = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    return {"csv": out["csv"].decode("utf-8-sig"), "json": out["json"].decode(), "xlsx": xlsx, "pdf": text_of(pdf)}


@pytest.mark.parametrize("tax_code", MISTYPED)
def test_person_with_mistyped_code_is_withheld_and_counted(committee_db: Database, tax_code: str) -> None:
    """A mistyped personal code admitted after soccorso: name and code withheld in PDF/CSV/XLSX/JSON, note says 1."""
    _admit_person_after_rescue(committee_db, tax_code)
    for fmt, text in _texts(committee_db).items():
        assert PERSON not in text and tax_code not in text, fmt
        assert "Associazione Quartiere 1 APS" in text, fmt
        assert WITHHELD_NAME in text, fmt
        assert "Righe con dati non pubblicati: 1 su 7" in text, fmt
    rows = list(csv.reader(io.StringIO(_texts(committee_db)["csv"]), delimiter=";"))
    assert rows[-1][0].startswith("Righe con dati non pubblicati: 1 su 7")
    data = json.loads(_texts(committee_db)["json"])["Graduatoria pubblica"]
    assert data["info"]["righe_non_pubblicate"] == 1


def test_chair_confirmation_publishes_and_is_logged(
    committee_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the chair's explicit option the row is published, the note says so, the audit log records it."""
    _admit_person_after_rescue(committee_db, MISTYPED[0])
    path = str(committee_db.path)
    committee_db.close()
    out = tmp_path / "pubblica.csv"
    base = ["export", path, "--what", "graduatoria-pubblica", "--format", "csv", "-o", str(out)]
    assert main(base) == 0
    printed = capsys.readouterr().out
    assert "Righe con dati non pubblicati: 1 su 7" in printed
    assert PERSON not in out.read_text(encoding="utf-8-sig")
    assert main([*base, "--pubblica-persone-fisiche"]) == 0
    printed = capsys.readouterr().out
    assert "Righe pubblicate su conferma espressa del presidente: 1 su 7" in printed
    text = out.read_text(encoding="utf-8-sig")
    assert PERSON in text and "conferma espressa del presidente" in text
    from valutazione.db import open_database

    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            logged = s.scalars(select(AuditRow).where(AuditRow.action == "graduatoria_pubblica.persone_confermate"))
            rows = list(logged)
    finally:
        db.close()
    assert len(rows) == 1 and rows[0].actor == CHAIR and '"pubblicate_su_conferma":1' in rows[0].after_json


def test_organisation_by_legal_form_is_published_without_a_bad_code(committee_db: Database) -> None:
    """An association with a malformed code is named (its legal form says it is a body), the code is not."""
    _admit_person_after_rescue(committee_db, MISTYPED[1], legal_form="Associazione di promozione sociale")
    texts = _texts(committee_db)
    for fmt, text in texts.items():
        assert PERSON in text and MISTYPED[1] not in text, fmt
        assert "Codici fiscali non pubblicati: 1" in text, fmt


@pytest.mark.parametrize(
    ("tax_code", "legal_form", "organisation"),
    [
        ("97012345671", "", True),
        (" 97012345671 ", "", True),
        ("9701234567", "", False),  # 10 digits
        ("970 1234 5671", "", False),  # spaces: not identified
        ("BNCMRA80A01F205X", "", False),
        ("BNCMRA80A01F205X", "Cooperativa sociale", True),
        ("", "S.r.l.", True),
        ("", "APS", True),
        ("12345678901", "Ditta individuale", False),  # a sole trader's VAT number is a person's
        ("", "Altro", False),
        ("", "", False),
    ],
)
def test_organisation_rule(tax_code: str, legal_form: str, organisation: bool) -> None:
    """Named only when positively an organisation: 11 digits or an organisation's legal form, never a person's."""
    assert is_organisation(tax_code, legal_form) is organisation
