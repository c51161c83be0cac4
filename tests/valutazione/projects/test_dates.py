"""A funded project's facts are recorded once they have happened: no date after today (Rome's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.valutazione.projects.conftest import CHAIR
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.projects import agreements, impacts, payments, support
from valutazione.projects.counter_entries import counter_entry
from valutazione.projects.dates import today_in_rome

P = "PG 138/2018"
START = date(2018, 7, 1)
TOMORROW = today_in_rome() + timedelta(days=1)
FAR = date(2099, 12, 31)


@pytest.fixture
def running(funded: Database) -> Database:
    """PG 138/2018 signed, advanced, with a support plan."""
    with funded.sessions.begin() as s:
        agreements.sign(s, CHAIR, P, signed_on=START, amount_cents=2_090_900, start_on=START, end_on=date(2019, 6, 30))
        payments.record(s, CHAIR, P, payments.ADVANCE, date(2018, 7, 10), 800_000, "DD 12/2018")
        support.plan_phase(s, CHAIR, P, "Prototipazione", Decimal(40), "Fondazione Innovazione")
    return funded


def _first_payment(s: Session) -> int:
    return payments.list_payments(s, P)[0].id


RECORDS: dict[str, Callable[[Session, date], object]] = {
    "erogazione": lambda s, d: payments.record(s, CHAIR, P, payments.PROGRESS, d, 100_000, "DD 20/2018"),
    "recupero": lambda s, d: payments.record(s, CHAIR, P, payments.RECOVERY, d, 100_000, "DD 21/2018"),
    "storno": lambda s, d: counter_entry(s, CHAIR, _first_payment(s), d, "Importo errato"),
    "incontro": lambda s, d: support.log_session(s, CHAIR, P, "Prototipazione", d, Decimal(2), "Avvio"),
    "indicatore": lambda s, d: impacts.report_value(s, CHAIR, P, "I2", d, Decimal(45)),
    "revoca": lambda s, d: agreements.close(s, CHAIR, P, "revocata", d, "Attività non avviate"),
}


@pytest.mark.parametrize("day", [TOMORROW, FAR], ids=["domani", "2099"])
@pytest.mark.parametrize("what", sorted(RECORDS))
def test_no_fact_of_a_funded_project_is_dated_in_the_future(running: Database, what: str, day: date) -> None:
    """A payment, recovery, counter-entry, meeting, indicator value or revocation dated after today is refused,
    and nothing is written (an indicator dated 2099 would stay the «current» value over every later one)."""
    with running.sessions() as s:
        rows_before = s.scalar(select(func.count()).select_from(AuditRow))
    with running.sessions.begin() as s, pytest.raises(RuleViolation, match="data futura"):
        RECORDS[what](s, day)
    with running.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)) == rows_before
    with running.sessions.begin() as s:
        RECORDS[what](s, today_in_rome())  # today itself is a fact that happened


def test_an_agreement_is_not_signed_in_the_future(funded: Database) -> None:
    """An agreement dated after today is refused: signing is what makes the grant binding."""
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="firma della convenzione porta una data"):
        agreements.sign(s, CHAIR, P, signed_on=TOMORROW, amount_cents=2_090_900, start_on=TOMORROW, end_on=FAR)
