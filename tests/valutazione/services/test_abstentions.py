"""Abstentions: listed for the chair; withdrawn only with a reason, logged, refused after the final ranking."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.valutazione.services.conftest import Committee
from valutazione.db import Database
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import AuditRow, GraduatoriaVersion, utcnow
from valutazione.seals import verify_seals
from valutazione.services import conflicts
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
