"""Abstentions: listed for the chair; withdrawn only with a reason, logged, refused after the final ranking."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.valutazione.services.conftest import Committee, full_marks
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import AuditRow, GraduatoriaVersion, utcnow
from valutazione.seals import verify_seals
from valutazione.services import conflicts, sheets
from valutazione.services.abstentions import list_abstentions, withdraw_abstention


def _abstain(db: Database, team: Committee) -> int:
    domanda = team.domande[0]
    with db.sessions.begin() as s:
        conflicts.declare(s, team.bruno, domanda, True, "Parente del legale rappresentante")
    return domanda


def test_withdrawal_logged_and_member_asked_again(db: Database, declared: Committee) -> None:
    """The chair withdraws an abstention with a reason: the log keeps the original reason, the member is
    no longer in conflict and must declare again, the seals still hold."""
    domanda = _abstain(db, declared)
    with db.sessions() as s:
        listed = list_abstentions(s)
    assert [(a.member, a.protocol, a.reason) for a in listed] == [
        ("Bruno Verdi", "P1", "Parente del legale rappresentante")
    ]
    with db.sessions.begin() as s:
        withdraw_abstention(s, declared.bruno, domanda, "Omonimia: non è parente", "Anna Rossi")
    with db.sessions() as s:
        assert list_abstentions(s) == []
        assert not conflicts.in_conflict(s, declared.bruno, domanda)
        entry = s.scalars(select(AuditRow).where(AuditRow.action == "conflitto.astensione_ritirata")).one()
        assert entry.actor == "Anna Rossi"
        assert json.loads(entry.before_json)["motivo"] == "Parente del legale rappresentante"
        assert json.loads(entry.after_json)["motivo_ritiro"] == "Omonimia: non è parente"
        assert verify_seals(s) == []


def test_withdrawal_refused_without_reason_unknown_or_after_final(db: Database, declared: Committee) -> None:
    """No reason, no abstention to withdraw, or a definitive ranking already approved: refused, nothing written."""
    domanda = _abstain(db, declared)
    with pytest.raises(RuleViolation, match="motivo del ritiro"), db.sessions.begin() as s:
        withdraw_abstention(s, declared.bruno, domanda, "  ", "Anna Rossi")
    with pytest.raises(NotFoundError, match="Nessuna astensione"), db.sessions.begin() as s:
        withdraw_abstention(s, declared.carla, domanda, "errore", "Anna Rossi")
    with db.sessions.begin() as s:
        s.add(
            GraduatoriaVersion(
                version=1,
                state="definitiva",
                approved_at=utcnow(),
                approved_by="Anna Rossi",
                reason="",
                fingerprint="0" * 64,
                content_json="{}",
            )
        )
    with pytest.raises(RuleViolation, match="definitiva"), db.sessions.begin() as s:
        withdraw_abstention(s, declared.bruno, domanda, "errore", "Anna Rossi")
    with db.sessions() as s:
        assert len(list_abstentions(s)) == 1


def test_a_withdrawal_never_brings_back_a_sent_sheet_by_itself(
    db: Database, declared: Committee, milano: Bando
) -> None:
    """A sheet sent before the member abstained is reopened as a draft when the chair withdraws the
    abstention: it counts again only once the member declares anew and sends it."""
    domanda = declared.domande[0]
    with db.sessions.begin() as s:
        conflicts.declare(s, declared.bruno, domanda, False)
        sheets.save_draft(s, declared.bruno, domanda, full_marks(milano))
        sheets.submit(s, declared.bruno, domanda)
    _abstain(db, declared)
    with db.sessions.begin() as s:
        withdraw_abstention(s, declared.bruno, domanda, "Omonimia: non è parente", "Anna Rossi")
    with db.sessions() as s:
        assert sheets.own_sheet(s, declared.bruno, domanda).state == sheets.DRAFT
        reopened = s.scalars(select(AuditRow).where(AuditRow.action == "scheda.riaperta")).one()
        assert reopened.actor == "Anna Rossi" and "Astensione ritirata" in reopened.after_json
        assert verify_seals(s) == []
    with db.sessions.begin() as s:  # the member declares again, then sends the same marks
        conflicts.declare(s, declared.bruno, domanda, False)
        assert sheets.submit(s, declared.bruno, domanda).state == sheets.SUBMITTED
