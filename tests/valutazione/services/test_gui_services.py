"""The services the GUI asks instead of querying the file itself: each returns frozen records."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tests.valutazione.services.conftest import Committee, full_marks
from valutazione.db import Database
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.services import (
    admissibility,
    committee,
    conflicts,
    domanda_detail,
    domande,
    lookup,
    packages,
    sedute,
    sheets,
)
from valutazione.services.domande import ASTENUTO, BOZZA, DA_DICHIARARE, DA_VALUTARE, INVIATA

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


@pytest.mark.parametrize(
    ("sheet_state", "declared", "expected"),
    [
        (None, None, DA_DICHIARARE),
        (None, False, DA_VALUTARE),
        (None, True, ASTENUTO),
        (BOZZA, False, BOZZA),
        (INVIATA, False, INVIATA),
        (INVIATA, True, ASTENUTO),
    ],
)
def test_member_state_rule(sheet_state: str | None, declared: bool | None, expected: str) -> None:
    """A declared conflict wins over any sheet; no declaration means «to declare» before scoring."""
    assert domande.member_state(sheet_state, declared) == expected


def test_member_list_states(db: Database, declared: Committee) -> None:
    """A scorer's list holds assigned and abstained applications, each with that member's state."""
    p1, p2, p3 = declared.domande
    with db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, p1, True, "Parente del legale rappresentante")
        conflicts.declare(s, declared.bruno, p2, False)
        sheets.save_draft(s, declared.bruno, p2, full_marks(lookup.rules(s)))
    with db.sessions() as s:
        rows = {r.protocol: r for r in domande.member_domande(s, declared.bruno)}
        assert domande.has_declared(s, declared.bruno, p1) and not domande.has_declared(s, declared.bruno, p3)
        everyone = domande.load_domande(s, None)
    assert {p: r.my_state for p, r in rows.items()} == {"P1": ASTENUTO, "P2": BOZZA, "P3": DA_DICHIARARE}
    assert [r.my_state for r in everyone] == ["", "", ""]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows["P1"].my_state = INVIATA  # type: ignore[misc]


def test_sedute_listed_once_by_number(db: Database, declared: Committee) -> None:
    """Sessions are listed by number (or latest first) and found by number; an unknown number is refused."""
    with db.sessions.begin() as s:
        first = sedute.record_seduta(s, date(2018, 4, 16), "09:30", "12:00", "Sala A", "Insediamento", [], "Anna")
        sedute.record_seduta(s, date(2018, 4, 20), "", "", "", "Graduatoria", [], "Anna", remote=True)
        noted = sedute.add_note(s, first.id, "Correzione dell'orario", "Anna")
    assert isinstance(first, sedute.SedutaRecord) and noted.notes == "Correzione dell'orario"
    with db.sessions() as s:
        assert [r.number for r in sedute.list_sedute(s)] == [1, 2]
        assert [r.number for r in sedute.list_sedute(s, newest_first=True)] == [2, 1]
        assert sedute.seduta_by_number(s, 2).remote
        with pytest.raises(NotFoundError, match="Nessuna seduta numero 3"):
            sedute.seduta_by_number(s, 3)


def test_master_file_is_no_package(db: Database, declared: Committee) -> None:
    """The chair's file names no package member; a first return pins a key only for a known member."""
    with db.sessions() as s:
        assert packages.package_member(s) is None and not packages.is_package_file(s)
        assert packages.needs_first_key(s, "Bruno Verdi")
        assert not packages.needs_first_key(s, "Nessuno Sconosciuto")


def test_missing_marks_while_typing(db: Database, declared: Committee) -> None:
    """Marks not yet saved are checked by the same rule as a saved sheet."""
    with db.sessions() as s:
        bando = lookup.rules(s)
    marks = full_marks(bando)
    assert sheets.missing_marks(bando, marks) == []
    first = bando.subcriteria[0].code
    marks[first] = sheets.Mark(None)
    assert sheets.missing_marks(bando, marks) == [f"{first}: valore mancante"]
    assert len(sheets.missing_marks(bando, {})) == len(bando.subcriteria)


def test_visible_protocols_refused_before_own_submission(db: Database, declared: Committee) -> None:
    """A member sees the others' sheets nowhere before submitting their own: the export is refused."""
    with db.sessions() as s, pytest.raises(RuleViolation, match="prima di aver inviato"):
        sheets.visible_protocols(s, declared.bruno)


def test_pending_rescues_with_protocol(db: Database, declared: Committee) -> None:
    """Open rescue requests are listed by application, with its protocol and deadline."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        admissibility.request_rescue(s, p1, "Statuto aggiornato", "Anna", date(2018, 3, 5), date(2018, 3, 15))
    with db.sessions() as s:
        pending = admissibility.pending_rescues(s)
    assert list(pending) == [p1]
    assert (pending[p1].protocol, pending[p1].deadline) == ("P1", date(2018, 3, 15))


def test_domanda_facts_and_unknown(db: Database, declared: Committee) -> None:
    """The detail screen's facts come as a record; an unknown application is refused in Italian."""
    with db.sessions() as s:
        facts = domanda_detail.domanda_facts(s, declared.domande[0])
        assert (facts.protocol, facts.outcome, facts.attachments) == ("P1", None, ())
        assert domanda_detail.attachment_bytes(s, "0" * 64) == b""
        with pytest.raises(NotFoundError, match="Nessuna domanda"):
            domanda_detail.domanda_facts(s, 999)


def test_appointment_record(db: Database, declared: Committee) -> None:
    """The appointment act is read back as a record, empty until the chair records it."""
    with db.sessions.begin() as s:
        assert committee.appointment(s) == committee.Appointment("", None)
        committee.set_appointment(s, "Determina n. 12", date(2018, 3, 1), "Anna")
    with db.sessions() as s:
        assert committee.appointment(s) == committee.Appointment("Determina n. 12", date(2018, 3, 1))


def test_progress_board_states(db: Database, declared: Committee) -> None:
    """The progress board shows abstained, draft and missing per application and scoring member."""
    from valutazione.services import progress

    p1, p2, _ = declared.domande
    with db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, p1, True, "Parente del legale rappresentante")
        conflicts.declare(s, declared.carla, p2, False)
        sheets.save_draft(s, declared.carla, p2, full_marks(lookup.rules(s)))
    with db.sessions() as s:
        board = progress.load_board(s)
    assert [name for _, name in board.members] == ["Anna Rossi", "Bruno Verdi", "Carla Neri"]
    assert board.states[(p1, declared.bruno)] == progress.ABSTAINED
    assert board.states[(p2, declared.carla)] == progress.DRAFT
    assert board.states[(p2, declared.bruno)] == progress.MISSING


def test_member_list_sees_what_the_session_holds_unsaved(db: Database, declared: Committee) -> None:
    """The list reads through the session's connection, yet sees a change the session has not yet flushed."""
    from valutazione.models import Domanda

    with db.sessions() as s:
        domanda = s.get(Domanda, declared.domande[1])
        assert domanda is not None
        domanda.title = "Titolo corretto nella stessa transazione"
        rows = {r.protocol: r.title for r in domande.load_domande(s, None)}
        s.rollback()
    assert rows["P2"] == "Titolo corretto nella stessa transazione"
