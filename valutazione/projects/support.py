"""Tailored support (*affiancamento personalizzato*): the plan per funded project and the log of what was given.

The plan assigns hours per phase (prototyping, development...) and names who gives them. Every session
logged is counted against its phase; going beyond the plan needs a reason, because the hours are paid from
the same call. A project is *behind* when the hours given are less than the plan's share for the time
elapsed between the project's start and end, by more than the call's tolerance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.db import load_rules
from valutazione.errors import RuleViolation
from valutazione.projects.agreements import require_agreement
from valutazione.projects.dates import not_in_the_future
from valutazione.projects.numbers import places, trimmed
from valutazione.projects.states import ACTIVE
from valutazione.projects.tables import Convenzione, FaseAffiancamento, SessioneAffiancamento
from valutazione.services import lookup


@dataclass(frozen=True)
class PhaseStatus:
    name: str
    mentor: str
    planned: Decimal
    used: Decimal


@dataclass(frozen=True)
class SessionInfo:
    on_day: date
    phase: str
    hours: Decimal
    topic: str
    notes: str
    next_steps: str
    over_plan_reason: str


@dataclass(frozen=True)
class SupportStatus:
    """Hours planned, given, and due by ``today`` (the plan's share of the project's elapsed time)."""

    protocol: str
    phases: tuple[PhaseStatus, ...]
    sessions: tuple[SessionInfo, ...]
    due: Decimal
    behind: bool

    @property
    def planned(self) -> Decimal:
        return sum((p.planned for p in self.phases), Decimal(0))

    @property
    def used(self) -> Decimal:
        return sum((p.used for p in self.phases), Decimal(0))


MAX_PLAN_HOURS = 10_000
DAY_HOURS = 24  # one meeting is logged on one day: 10,000 hours in one session filled any plan at once


def _hours(value: Decimal, what: str, most: int = MAX_PLAN_HOURS) -> Decimal:
    """Quarter hours, trimmed. The places are counted exactly: ``1e-999999999 * 4 % 1`` is 0 in Decimal's
    context, so that value passed as a quarter hour and then failed the table's check with a traceback."""
    if not value.is_finite() or value <= 0 or value > most:
        raise RuleViolation(f"Le ore di {what} devono essere un numero maggiore di zero e non oltre {most}.")
    if places(value) > 2 or (value * 4) % 1:
        raise RuleViolation(f"Le ore di {what} si indicano in quarti d'ora (per esempio 1,5 o 2,25).")
    return trimmed(value)


def _phase(s: Session, domanda_id: int, name: str) -> FaseAffiancamento | None:
    return s.scalars(
        select(FaseAffiancamento).where(FaseAffiancamento.domanda_id == domanda_id, FaseAffiancamento.name == name)
    ).first()


def plan_phase(s: Session, actor: str, protocol: str, name: str, hours: Decimal, mentor: str) -> PhaseStatus:
    """Adds a phase to the plan, or changes its hours and mentor (the change is logged with both values)."""
    agreement = require_agreement(s, protocol, lock=True)
    if agreement.state != ACTIVE:
        raise RuleViolation(f"La convenzione di {protocol} è {agreement.state}: il piano di affiancamento è chiuso.")
    name = name.strip()
    if not name:
        raise RuleViolation("Indicare il nome della fase (per esempio «Prototipazione»).")
    hours = _hours(hours, "piano")
    row = _phase(s, agreement.domanda_id, name)
    before = None if row is None else {"ore": row.hours_planned, "affiancatore": row.mentor}
    if row is None:
        row = FaseAffiancamento(domanda_id=agreement.domanda_id, name=name, hours_planned=hours, mentor=mentor.strip())
        s.add(row)
    else:
        used = _used(s, row.id)
        if hours < used:
            raise RuleViolation(f"La fase «{name}» ha già {used} ore svolte: il piano non può scendere sotto.")
        row.hours_planned, row.mentor = hours, mentor.strip()
    s.flush()
    after = {"fase": name, "ore": hours, "affiancatore": row.mentor}
    audit.record(s, actor, "affiancamento.piano", "domanda", protocol, before, after)
    return PhaseStatus(name, row.mentor, hours, _used(s, row.id))


def _used(s: Session, fase_id: int) -> Decimal:
    hours = s.scalars(select(SessioneAffiancamento.hours).where(SessioneAffiancamento.fase_id == fase_id))
    return sum(hours, Decimal(0))


def log_session(
    s: Session,
    actor: str,
    protocol: str,
    phase: str,
    on_day: date,
    hours: Decimal,
    topic: str,
    notes: str = "",
    next_steps: str = "",
    over_plan_reason: str = "",
) -> SessionInfo:
    """Logs support given; hours beyond the phase's plan are refused unless a reason is given."""
    agreement = require_agreement(s, protocol, lock=True)  # hours within the plan, one writer at a time
    row = _phase(s, agreement.domanda_id, phase.strip())
    if row is None:
        raise RuleViolation(f"La fase «{phase}» non è nel piano di affiancamento di {protocol}.")
    hours = _hours(hours, "affiancamento", DAY_HOURS)
    if not topic.strip():
        raise RuleViolation("Indicare l'argomento dell'incontro di affiancamento.")
    if on_day < agreement.signed_on:
        raise RuleViolation("L'affiancamento registrato è anteriore alla convenzione.")
    not_in_the_future(on_day, "L'incontro di affiancamento")
    if agreement.state != ACTIVE and agreement.closed_on is not None and on_day > agreement.closed_on:
        # support is paid from the call: none is given to a project after its revocation or renunciation
        # (a meeting held before it may still be logged late)
        raise RuleViolation(
            f"La convenzione di {protocol} è {agreement.state} dal {agreement.closed_on:%d/%m/%Y}: nessun "
            "affiancamento dopo quella data."
        )
    used = _used(s, row.id)
    reason = over_plan_reason.strip()
    if used + hours > row.hours_planned and not reason:
        raise RuleViolation(
            f"Con queste {hours} ore la fase «{row.name}» arriverebbe a {used + hours} ore, oltre le "
            f"{row.hours_planned} del piano: indicare il motivo."
        )
    entry = SessioneAffiancamento(
        domanda_id=agreement.domanda_id,
        fase_id=row.id,
        on_day=on_day,
        hours=hours,
        topic=topic.strip(),
        notes=notes.strip(),
        next_steps=next_steps.strip(),
        over_plan_reason=reason,
    )
    s.add(entry)
    s.flush()
    info = SessionInfo(on_day, row.name, hours, entry.topic, entry.notes, entry.next_steps, reason)
    audit.record(s, actor, "affiancamento.sessione", "domanda", protocol, None, asdict(info))
    return info


def hours_due(agreement: Convenzione, planned: Decimal, today: date) -> Decimal:
    """The plan's share for the elapsed part of the project: all of it at the end, none before the start."""
    span = (agreement.end_on - agreement.start_on).days
    elapsed = (today - agreement.start_on).days
    if span <= 0:
        share = Fraction(1 if elapsed >= 0 else 0)
    else:
        share = min(max(Fraction(elapsed, span), Fraction(0)), Fraction(1))
    return (planned * share.numerator / share.denominator).quantize(Decimal("0.01"))


def status(s: Session, protocol: str, today: date) -> SupportStatus:
    d = lookup.domanda_by_protocol(s, protocol)
    agreement = require_agreement(s, d.protocol)
    phases = list(s.scalars(select(FaseAffiancamento).where(FaseAffiancamento.domanda_id == d.id).order_by("id")))
    names = {p.id: p.name for p in phases}
    entries = s.scalars(
        select(SessioneAffiancamento)
        .where(SessioneAffiancamento.domanda_id == d.id)
        .order_by(SessioneAffiancamento.on_day, SessioneAffiancamento.id)
    ).all()
    used: dict[int, Decimal] = {}
    for e in entries:
        used[e.fase_id] = used.get(e.fase_id, Decimal(0)) + e.hours
    phase_status = tuple(PhaseStatus(p.name, p.mentor, p.hours_planned, used.get(p.id, Decimal(0))) for p in phases)
    planned = sum((p.planned for p in phase_status), Decimal(0))
    given = sum((p.used for p in phase_status), Decimal(0))
    # A closed agreement owes no support after its closing day and is never «behind»: the project page and
    # the report said a project revoked in October was late on its plan in December.
    active = agreement.state == ACTIVE
    until = today if active or agreement.closed_on is None else min(today, agreement.closed_on)
    due = hours_due(agreement, planned, until)
    tolerance = load_rules(s).monitoring.tolerance_percent
    behind = active and planned > 0 and given < due * (100 - tolerance) / 100
    sessions = tuple(
        SessionInfo(e.on_day, names[e.fase_id], e.hours, e.topic, e.notes, e.next_steps, e.over_plan_reason)
        for e in entries
    )
    return SupportStatus(d.protocol, phase_status, sessions, due, behind)
