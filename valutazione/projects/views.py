"""Read-only views of one funded project for the screens and the report: frozen records, no ORM rows.

The project page shows the agreement, payments, support and indicators together; gathering them here, in
one session, keeps the GUI free of queries and lets the PDF report use exactly what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from valutazione.db import load_rules
from valutazione.projects import agreements, impacts, payments, support
from valutazione.projects.agreements import AgreementInfo
from valutazione.projects.grants import final_grants
from valutazione.projects.impacts import IndicatorLine
from valutazione.projects.monitoring import NO_ZONE
from valutazione.projects.payments import PaymentInfo
from valutazione.projects.rules import Indicator
from valutazione.projects.support import SupportStatus
from valutazione.services import lookup


@dataclass(frozen=True)
class ProjectDetail:
    """Everything the project page shows about one funded application."""

    protocol: str
    applicant: str
    title: str
    zone: str
    grant_cents: int
    duration_months: int | None
    agreement: AgreementInfo | None
    payments: tuple[PaymentInfo, ...]
    support: SupportStatus | None
    indicators: tuple[IndicatorLine, ...]
    call_indicators: tuple[Indicator, ...]

    @property
    def paid_cents(self) -> int:
        return sum(p.signed_cents for p in self.payments)


def project_detail(s: Session, protocol: str, today: date) -> ProjectDetail:
    d = lookup.domanda_by_protocol(s, protocol)
    agreement = agreements.get(s, d.protocol)
    signed = agreement is not None
    return ProjectDetail(
        d.protocol,
        d.applicant,
        d.title,
        d.zona.name if d.zona else NO_ZONE,
        final_grants(s)[1].get(d.protocol, 0),
        d.duration_months,
        agreement,
        tuple(payments.list_payments(s, d.protocol)) if signed else (),
        support.status(s, d.protocol, today) if signed else None,
        tuple(impacts.project_lines(s, d.id)),
        load_rules(s).monitoring.indicators,
    )
