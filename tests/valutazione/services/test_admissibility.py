"""Formal admissibility: outcome with mandatory reason, flags as checklist, soccorso istruttorio deadlines."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.services import admissibility

from .conftest import Committee, add_domanda

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


def test_reason_mandatory(db: Database, team: Committee) -> None:
    """Every outcome, admissible included, carries its reason; unknown outcomes are refused."""
    p1 = team.domande[0]
    with db.sessions.begin() as s:
        for outcome in admissibility.OUTCOMES:
            with pytest.raises(RuleViolation, match="motivo"):
                admissibility.decide(s, p1, outcome, "   ", "Anna Rossi")
        with pytest.raises(RuleViolation, match="non previsto"):
            admissibility.decide(s, p1, "sospesa", "boh", "Anna Rossi")


def test_decision_change_is_audited_with_before_and_after(db: Database, team: Committee) -> None:
    """Changing an outcome keeps the previous one in the audit log."""
    p1 = team.domande[0]
    with db.sessions.begin() as s:
        admissibility.decide(s, p1, "ammissibile", "Requisiti verificati", "Anna Rossi")
        admissibility.decide(s, p1, "esclusa", "Zona non ammessa", "Anna Rossi")
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "ammissibilita.decisa")).all()
    assert len(rows) == 2 and "Requisiti verificati" in rows[1].before_json and "Zona" in rows[1].after_json


def test_mark_all_leaves_flagged_for_individual_decision(db: Database, team: Committee) -> None:
    """The blanket decision covers only unflagged, undecided applications; flags stay on the checklist."""
    with db.sessions.begin() as s:
        add_domanda(s, "P9", flags=("zona",))
        s.flush()
        assert admissibility.mark_all_admissible(s, "Anna Rossi", "Requisiti formali verificati") == [
            "P1",
            "P2",
            "P3",
        ]
        assert [d.protocol for d in admissibility.undecided(s)] == ["P9"]
        first = admissibility.checklist(s)[0]
        assert (first.protocol, first.flags, first.outcome) == ("P9", (("zona", "segnalazione zona"),), None)


def test_soccorso_default_deadline_and_overdue(db: Database, team: Committee) -> None:
    """The deadline defaults to the request date + the call's 10 days; overdue means past it and still open."""
    p1, p2 = team.domande[:2]
    with db.sessions.begin() as s:
        first = admissibility.request_rescue(s, p1, "Statuto aggiornato", "Anna Rossi", date(2018, 3, 5))
        second = admissibility.request_rescue(
            s,
            p2,
            "Documento del legale rappresentante",
            "Anna Rossi",
            date(2018, 3, 5),
            deadline=date(2018, 3, 30),
        )
        assert first.deadline == date(2018, 3, 15)
        assert admissibility.overdue_rescues(s, date(2018, 3, 15)) == []
        assert [r.id for r in admissibility.overdue_rescues(s, date(2018, 3, 16))] == [first.id]
        assert [r.id for r in admissibility.overdue_rescues(s, date(2018, 4, 1))] == [first.id, second.id]
        admissibility.close_rescue(s, first.id, "integrata", date(2018, 3, 16), "Anna Rossi")
        assert [r.id for r in admissibility.overdue_rescues(s, date(2018, 4, 1))] == [second.id]


def test_soccorso_blocks_decision_until_closed(db: Database, team: Committee) -> None:
    """While documents are awaited the application cannot be decided; after closing it can."""
    p1 = team.domande[0]
    with db.sessions.begin() as s:
        rescue = admissibility.request_rescue(s, p1, "Codice fiscale corretto", "Anna Rossi", date(2018, 3, 5))
        with pytest.raises(RuleViolation, match="già un soccorso"):
            admissibility.request_rescue(s, p1, "Altro", "Anna Rossi", date(2018, 3, 6))
        with pytest.raises(RuleViolation, match="soccorso istruttorio in attesa"):
            admissibility.decide(s, p1, "esclusa", "Codice fiscale non valido", "Anna Rossi")
        assert admissibility.mark_all_admissible(s, "Anna Rossi", "Verificati") == ["P2", "P3"]
        with pytest.raises(RuleViolation, match="non previsto"):
            admissibility.close_rescue(s, rescue.id, "forse", date(2018, 3, 10), "Anna Rossi")
        admissibility.close_rescue(s, rescue.id, "non_integrata", date(2018, 3, 16), "Anna Rossi")
        assert (
            admissibility.decide(s, p1, "esclusa", "Codice fiscale non regolarizzato", "Anna Rossi").outcome
            == "esclusa"
        )


def test_soccorso_needs_documents_and_sane_deadline(db: Database, team: Committee) -> None:
    """A request says which administrative documents are asked, and its deadline cannot precede it."""
    p1 = team.domande[0]
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="documenti"):
            admissibility.request_rescue(s, p1, " ", "Anna Rossi", date(2018, 3, 5))
        with pytest.raises(RuleViolation, match="scadenza"):
            admissibility.request_rescue(s, p1, "Statuto", "Anna Rossi", date(2018, 3, 5), date(2018, 3, 1))
