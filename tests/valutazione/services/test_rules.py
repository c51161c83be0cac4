"""Rules of an open file: free before the first application is opened/scored, then reasoned and minuted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import Ammissibilita, AuditRow, Domanda, ZonaRow
from valutazione.services import rules

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


def test_free_edit_before_lock(db: Database, milano: Bando) -> None:
    """Before any application is opened a change needs no reason and is not listed for the minutes."""
    new = dataclasses.replace(milano, quorum=5)
    with db.sessions.begin() as s:
        change = rules.update_rules(s, "presidente", new)
    assert change is not None and change.changes == (("bando.quorum", "3", "5"),)
    assert db.bando().quorum == 5
    with db.sessions() as s:
        assert rules.rule_changes(s) == []
        assert len(rules.rule_changes(s, after_lock_only=False)) == 1


def test_no_change_records_nothing(db: Database, milano: Bando) -> None:
    """Saving the same rules writes no audit row."""
    with db.sessions.begin() as s:
        assert rules.update_rules(s, "presidente", milano) is None
        assert s.scalars(select(AuditRow).where(AuditRow.action == rules.ACTION)).first() is None


def _open_one(db: Database) -> None:
    with db.sessions.begin() as s:
        d = Domanda(
            protocol="P1",
            submitted_at=datetime(2018, 2, 1, tzinfo=UTC),
            applicant="Ente",
            title="T",
            total_cost_cents=100,
            grant_cents=90,
            cofinancing_cents=10,
        )
        s.add(d)
        s.flush()
        s.add(Ammissibilita(domanda_id=d.id, outcome="ammissibile", reason="regolare", decided_at=datetime.now(UTC)))


def test_locked_change_needs_reason(db: Database, milano: Bando) -> None:
    """After the first application is opened a change without a reason is refused."""
    _open_one(db)
    with db.sessions.begin() as s:
        assert rules.rules_locked(s)
        with pytest.raises(RuleViolation, match="motivazione"):
            rules.update_rules(s, "presidente", dataclasses.replace(milano, quorum=4), "  ")
    assert db.bando().quorum == 3


def test_locked_change_with_reason_is_minuted(db: Database, milano: Bando) -> None:
    """A reasoned change after the lock is audited and listed for the minutes with before/after."""
    _open_one(db)
    with db.sessions.begin() as s:
        rules.update_rules(s, "presidente", dataclasses.replace(milano, cap_cents=6_000_000), "errata corrige")
    with db.sessions() as s:
        listed = rules.rule_changes(s)
    assert len(listed) == 1 and listed[0].reason == "errata corrige" and listed[0].after_lock
    assert ("bando.contributo_massimo", "50000", "60000") in listed[0].changes


def test_explicit_lock(db: Database, milano: Bando) -> None:
    """The chair can fix the rules explicitly; afterwards a reason is needed."""
    with db.sessions.begin() as s:
        rules.lock_rules(s, "presidente")
        rules.lock_rules(s, "presidente")
        assert rules.rules_locked(s)


def test_zone_in_use_cannot_be_removed(db: Database, milano: Bando) -> None:
    """A zone applications point to cannot disappear from the rules."""
    with db.sessions.begin() as s:
        zona = s.scalars(select(ZonaRow).where(ZonaRow.number == 4)).one()
        s.add(
            Domanda(
                protocol="P1",
                submitted_at=datetime(2018, 2, 1, tzinfo=UTC),
                applicant="E",
                title="T",
                total_cost_cents=1,
                grant_cents=1,
                cofinancing_cents=0,
                zona_id=zona.id,
            )
        )
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match="zona 4"):
        rules.update_rules(s, "presidente", dataclasses.replace(milano, zones=milano.zones[:3]))


def test_zone_added_and_removed(db: Database, milano: Bando) -> None:
    """Zones follow the rules: an unused zone is removed, a new one added."""
    extra = dataclasses.replace(milano.zones[0], number=9, name="Nuova zona")
    with db.sessions.begin() as s:
        rules.update_rules(s, "presidente", dataclasses.replace(milano, zones=milano.zones[1:] + (extra,)))
    with db.sessions() as s:
        assert sorted(z.number for z in s.scalars(select(ZonaRow))) == [2, 3, 4, 9]
