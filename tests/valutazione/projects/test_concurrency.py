"""On the server two people may write at once: the money rules must hold for two transactions in flight."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import text

from tests.builders import CommitteeFile, State
from valutazione.db import Database, opened
from valutazione.errors import RuleViolation
from valutazione.projects import agreements, payments
from valutazione.projects.grants import final_grants

CHAIR = "Anna Rossi"
ON = date(2018, 7, 2)


def _waiting_on_a_lock(db: Database) -> bool:
    with db.engine.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
        return bool(waiting.scalar())


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_payments_in_flight_never_exceed_the_binding_amount(
    build_committee: Callable[..., CommitteeFile],
) -> None:
    """Two advances of 60 % typed at once by two users: the second waits for the first and is refused, so
    erogato never passes vincolante (both used to read «nothing paid yet» and both were recorded)."""
    committee = build_committee(State.DEFINITIVE)
    with opened(committee.path) as db:
        with db.sessions.begin() as s:
            protocol, grant = next(iter(final_grants(s)[1].items()))
            agreements.sign(s, CHAIR, protocol, signed_on=ON, amount_cents=grant, start_on=ON, end_on=date(2019, 6, 30))
        share = grant * 6 // 10
        outcome: list[object] = []

        def second() -> None:
            try:
                with db.sessions.begin() as s2:
                    outcome.append(payments.record(s2, CHAIR, protocol, payments.PROGRESS, ON, share, "DD 2/2018"))
            except RuleViolation as exc:
                outcome.append(exc)

        with db.sessions.begin() as s1:
            payments.record(s1, CHAIR, protocol, payments.ADVANCE, ON, share, "DD 1/2018")
            other = threading.Thread(target=second)
            other.start()
            deadline = time.monotonic() + 60  # a guard against a hang, not a measure
            while other.is_alive() and not _waiting_on_a_lock(db) and time.monotonic() < deadline:
                time.sleep(0.02)
        other.join(60)
        with db.sessions() as s:
            paid = sum(p.signed_cents for p in payments.list_payments(s, protocol))
    assert paid == share
    assert isinstance(outcome[0], RuleViolation) and "supererebbe il giuridicamente vincolante" in str(outcome[0])
