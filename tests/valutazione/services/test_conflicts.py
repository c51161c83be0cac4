"""Conflicts of interest: the member abstains, never sees the application, and is left out of its mean."""

from __future__ import annotations

from decimal import Decimal

import pytest

from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.services import admissibility, conflicts, ranking, sheets
from valutazione.services.abstentions import withdraw_abstention

from .conftest import Committee, full_marks

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


def test_conflict_needs_reason(db: Database, declared: Committee) -> None:
    """A declared conflict without its reason is refused (the abstention is written in the minutes)."""
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match="motivo del conflitto"):
        conflicts.declare(s, declared.bruno, declared.domande[0], True, "  ")


def test_conflict_hides_application(db: Database, declared: Committee) -> None:
    """A member in conflict is not assigned the application and cannot open, score or read its sheets."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        conflicts.declare(s, declared.bruno, p1, True, "Coniuge nel consiglio direttivo dell'ente")
        conflicts.declare(s, declared.carla, p1, False)
        assert [d.protocol for d in conflicts.assigned_domande(s, declared.bruno)] == ["P2", "P3"]
        assert [d.protocol for d in conflicts.assigned_domande(s, declared.carla)] == ["P1", "P2", "P3"]
        for action in (
            lambda: sheets.own_sheet(s, declared.bruno, p1),
            lambda: sheets.save_draft(s, declared.bruno, p1, full_marks(bando)),
            lambda: sheets.other_sheets(s, declared.bruno, p1),
        ):
            with pytest.raises(RuleViolation, match="conflitto|prima di aver inviato"):
                action()
        assert not sheets.other_sheets_visible(s, declared.bruno, p1)


def test_excluded_application_not_assigned(db: Database, declared: Committee) -> None:
    """An application excluded at admissibility is not scored on its merit."""
    with db.sessions.begin() as s:
        admissibility.decide(s, declared.domande[2], "esclusa", "Forma giuridica non ammessa", "test")
        assert [d.protocol for d in conflicts.assigned_domande(s, declared.carla)] == ["P1", "P2"]


def test_assigned_ids_are_the_assigned_applications(db: Database, declared: Committee) -> None:
    """The window's list reads only the ids: the same applications, in the same order, as the full rows."""
    with db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, declared.domande[0], True, "Socio dell'ente proponente")
        admissibility.decide(s, declared.domande[2], "esclusa", "Forma giuridica non ammessa", "test")
        for member in (declared.chair, declared.bruno, declared.carla, declared.secretary):
            assert conflicts.assigned_ids(s, member) == [d.id for d in conflicts.assigned_domande(s, member)]
        assert conflicts.assigned_ids(s, declared.bruno) == [declared.domande[1]]
        assert conflicts.assigned_ids(s, declared.secretary) == []


def test_conflict_left_out_of_average_and_quorum(db: Database, declared: Committee) -> None:
    """The mean uses only members not in conflict, and fewer scorers than the quorum blocks the final ranking.

    Bruno had already submitted 1,0 everywhere when he declared the conflict: his sheet must not count.
    """
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando, "1.0"))
        sheets.submit(s, declared.bruno, p1)
        for member, value in ((declared.chair, "0.8"), (declared.carla, "0.6")):
            sheets.save_draft(s, member, p1, full_marks(bando, value))
            sheets.submit(s, member, p1)
        conflicts.declare(s, declared.bruno, p1, True, "Socio dell'ente proponente")
        computed = ranking.compute(s)
    row = computed.ranking.row("P1")
    assert row.scorers == ("Anna Rossi", "Carla Neri")
    assert row.total_raw == Decimal("70.00")  # mean 0,7 × 100 points
    assert ("quorum", "P1") in {(w.kind, w.protocol) for w in computed.ranking.warnings}
    assert not computed.can_be_final


def test_member_cannot_lift_own_conflict(db: Database, declared: Committee) -> None:
    """Only the chair withdraws an abstention: the member's «no conflict» over a recorded conflict is refused."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, p1, True, "Socio dell'ente proponente")
    with pytest.raises(RuleViolation, match="solo dal presidente"), db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, p1, False)
    with db.sessions.begin() as s:
        assert conflicts.in_conflict(s, declared.bruno, p1)
        assert conflicts.assigned_ids(s, declared.bruno) == list(declared.domande[1:])
        withdraw_abstention(s, declared.bruno, p1, "Omonimia: non è socio", "Anna Rossi")
        conflicts.declare(s, declared.bruno, p1, False)
        assert not conflicts.in_conflict(s, declared.bruno, p1)
