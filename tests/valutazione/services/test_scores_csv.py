"""Bulk import of members' scores: all or nothing, each refusal naming the row and the field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from valutazione.db import Database
from valutazione.models import Scheda, Voto
from valutazione.services import admissibility, conflicts, scores_csv, sheets
from valutazione.services.scores_csv import ScoresImportRefused

from .conftest import Committee, full_marks

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server

HEADER = "Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione"
GOOD = ["Bruno Verdi;P1;A.1;0,8;Buona analisi dei bisogni", "Carla Neri;P2;B.1;0,6;Sufficiente"]


def _csv(*rows: str, bom: bool = True) -> bytes:
    text = "\n".join((HEADER, *rows)) + "\n"
    return ("\ufeff" + text if bom else text).encode("utf-8")


def _stored(db: Database) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Voto)) or 0)


def test_good_file_saves_drafts_only(db: Database, declared: Committee) -> None:
    """A clean file (BOM, decimal comma) becomes drafts; nothing is submitted by an import."""
    with db.sessions.begin() as s:
        report = scores_csv.import_scores(s, _csv(*GOOD), "Anna Rossi")
        assert (report.rows, report.sheets, report.members) == (2, 2, ("Bruno Verdi", "Carla Neri"))
        assert {sh.state for sh in s.scalars(select(Scheda))} == {"bozza"}
        view = sheets.own_sheet(s, declared.bruno, declared.domande[0])
        assert str(view.mark("A.1").value) == "0.8"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("Zoe Blu;P1;A.1;0,8;x", "riga 4, campo Commissario: «Zoe Blu» non fa parte"),
        ("Bruno Verdi;P99;A.1;0,8;x", "riga 4, campo Protocollo: domanda «P99» inesistente"),
        ("Bruno Verdi;P1;D.1;0,8;x", "riga 4, campo Sottocriterio: «D.1» non è previsto"),
        ("Bruno Verdi;P1;A.2;0,85;x", "riga 4, campo Coefficiente: Il coefficiente 0,85 non è nella scala"),
        ("Bruno Verdi;P1;A.2;1,5;x", "riga 4, campo Coefficiente"),
        ("Bruno Verdi;P1;A.2;otto;x", "riga 4, campo Coefficiente: «otto» non è un numero"),
        (
            "Bruno Verdi;P1;A.2;1e999999999;x",
            "riga 4, campo Coefficiente: Il valore 1E+999999999 per A.2 non è un voto",
        ),
        (
            "Bruno Verdi;P1;A.2;1e-999999999;x",
            "riga 4, campo Coefficiente: Il valore 1E-999999999 per A.2 non è un voto",
        ),
        ("Dario Bianchi;P1;A.2;0,5;x", "riga 4, campo Commissario: «Dario Bianchi» è segretario"),
        ("Bruno Verdi;P1;A.1;0,5;x", "riga 4: A.1 di Bruno Verdi sulla domanda P1 è ripetuto"),
    ],
)
def test_one_bad_row_refuses_the_whole_file(db: Database, declared: Committee, bad_row: str, expected: str) -> None:
    """Unknown member, application or sub-criterion, a value off the scale, the secretary, a repeat: nothing saved."""
    with db.sessions.begin() as s, pytest.raises(ScoresImportRefused) as refused:
        scores_csv.import_scores(s, _csv(*GOOD, bad_row), "Anna Rossi")
    assert expected in str(refused.value)
    assert _stored(db) == 0


def test_conflict_excluded_and_submitted_refused(db: Database, declared: Committee) -> None:
    """Scores of a member in conflict, on an excluded application, or onto a submitted sheet are refused."""
    p1, p2, p3 = declared.domande
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        conflicts.declare(s, declared.carla, p2, True, "Dipendente dell'ente")
        admissibility.decide(s, p3, "esclusa", "Fuori zona", "Anna Rossi")
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando))
        sheets.submit(s, declared.bruno, p1)
    before = _stored(db)
    with db.sessions.begin() as s, pytest.raises(ScoresImportRefused) as refused:
        scores_csv.import_scores(s, _csv(*GOOD, "Anna Rossi;P3;A.1;0,5;x"), "Anna Rossi")
    message = str(refused.value)
    assert "riga 2: la scheda di Bruno Verdi sulla domanda P1 è già inviata" in message
    assert "riga 3, campo Commissario: Carla Neri è in conflitto di interessi sulla domanda P2" in message
    assert "riga 4, campo Protocollo: la domanda P3 è esclusa" in message
    assert _stored(db) == before


def test_undeclared_member_refused(db: Database, team: Committee) -> None:
    """Scores typed in for a member who has not signed the general declaration are refused."""
    with db.sessions.begin() as s, pytest.raises(ScoresImportRefused, match="dichiarazione generale"):
        scores_csv.import_scores(s, _csv(GOOD[0], bom=False), "Anna Rossi")


def test_wrong_header_refused(db: Database, declared: Committee) -> None:
    """A file with other columns is refused at row 1, naming the expected header."""
    data = b"Nome;Domanda;Codice;Voto;Note\nBruno Verdi;P1;A.1;0,8;x\n"
    with db.sessions.begin() as s, pytest.raises(ScoresImportRefused, match="riga 1: intestazione attesa"):
        scores_csv.import_scores(s, data, "Anna Rossi")
