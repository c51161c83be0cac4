"""The city's view of the money: *programmato*, *ammesso*, *giuridicamente vincolante*, *erogato*.

Computed, never typed: ammesso from the latest final ranking, vincolante from the signed agreements,
erogato from the payments net of recoveries. The four must nest, erogato ≤ vincolante ≤ ammesso ≤
programmato, per beneficiary and in total; ``check_nesting`` names every place where they do not (for
example a final ranking that took a grant away after its agreement was signed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.db import load_rules
from valutazione.models import Domanda
from valutazione.projects import impacts, payments, support
from valutazione.projects.agreements import binding_cents
from valutazione.projects.grants import final_grants
from valutazione.projects.impacts import IndicatorLine
from valutazione.projects.states import ACTIVE
from valutazione.projects.tables import Convenzione, FaseAffiancamento

NO_ZONE = "Zona non indicata"
STATES = ("da convenzionare", "in corso", "concluso", "revocato", "rinunciato")


@dataclass(frozen=True)
class Figures:
    ammesso_cents: int
    vincolante_cents: int
    erogato_cents: int


@dataclass(frozen=True)
class ProjectLine:
    """One funded project (or one with an agreement): its money, its state and its support."""

    protocol: str
    applicant: str
    title: str
    zone: str
    state: str
    figures: Figures
    signed_on: date | None
    start_on: date | None
    end_on: date | None
    cup: str
    hours_planned: str
    hours_used: str
    behind: bool
    lot: str | None = None  # the lot's code, in a call divided into lots


@dataclass(frozen=True)
class FinanceSummary:
    """The four figures in total, per zone and per project."""

    programmato_cents: int
    total: Figures
    by_zone: tuple[tuple[str, Figures], ...]
    lines: tuple[ProjectLine, ...]
    ranking_version: int | None
    by_lot: tuple[tuple[str, Figures], ...] = ()  # per lot, in the call's order (none without lots)

    @property
    def ammesso_cents(self) -> int:
        return self.total.ammesso_cents

    @property
    def vincolante_cents(self) -> int:
        return self.total.vincolante_cents

    @property
    def erogato_cents(self) -> int:
        return self.total.erogato_cents


def _sum(figures: list[Figures]) -> Figures:
    return Figures(
        sum(f.ammesso_cents for f in figures),
        sum(f.vincolante_cents for f in figures),
        sum(f.erogato_cents for f in figures),
    )


def _state(agreement: Convenzione | None, paid_balance: bool) -> str:
    if agreement is None:
        return STATES[0]
    if agreement.state != ACTIVE:
        return "revocato" if agreement.state == "revocata" else "rinunciato"
    return "concluso" if paid_balance else "in corso"


def _balance_standing(s: Session, domanda_id: int, rows: list[payments.PaymentInfo]) -> bool:
    """Whether a balance was paid and not cancelled: a balance reversed by counter-entry (a wrong amount,
    recorded again later or not) does not close the project, as it does not block the next payments."""
    balances = {p.id for p in rows if p.kind == payments.BALANCE}
    return bool(balances - payments.reversed_ids(s, domanda_id)) if balances else False


def summary(s: Session, today: date | None = None) -> FinanceSummary:
    """The figures now; ``today`` (default: the current date) decides whether support is behind."""
    today = today or date.today()
    version, grants = final_grants(s)
    agreements = {c.domanda_id: c for c in s.scalars(select(Convenzione))}
    ids = set(agreements)
    domande = {d.id: d for d in s.scalars(select(Domanda).where(Domanda.protocol.in_(grants) | Domanda.id.in_(ids)))}
    planned_ids = set(s.scalars(select(FaseAffiancamento.domanda_id)))
    lines = []
    for d in sorted(domande.values(), key=lambda x: x.protocol):
        agreement = agreements.get(d.id)
        rows = payments.list_payments(s, d.protocol) if agreement else []
        paid = sum(p.signed_cents for p in rows)
        vincolante = binding_cents(agreement, paid) if agreement else 0
        # A revoked project keeps as admitted what it was paid and has not returned yet; an active agreement
        # does not: a later final ranking that lowered or took away its grant must show, vincolante > ammesso.
        grant = grants.get(d.protocol, 0)
        ammesso = grant if agreement is None or agreement.state == ACTIVE else max(grant, vincolante)
        planned = used = ""
        behind = False
        if agreement is not None and d.id in planned_ids:
            st = support.status(s, d.protocol, today)
            planned, used, behind = str(st.planned), str(st.used), st.behind and agreement.state == ACTIVE
        lines.append(
            ProjectLine(
                d.protocol,
                d.applicant,
                d.title,
                d.zona.name if d.zona else NO_ZONE,
                _state(agreement, _balance_standing(s, d.id, rows)),
                Figures(ammesso, vincolante, paid),
                agreement.signed_on if agreement else None,
                agreement.start_on if agreement else None,
                agreement.end_on if agreement else None,
                agreement.cup if agreement else "",
                planned,
                used,
                behind,
                d.lot_code,
            )
        )
    zones = [z.name for z in load_rules(s).zones] + [NO_ZONE]
    by_zone = tuple(
        (z, _sum([x.figures for x in lines if x.zone == z])) for z in zones if any(x.zone == z for x in lines)
    )
    lots = [lot.code for lot in load_rules(s).lots.lots]
    by_lot = tuple((c, _sum([x.figures for x in lines if x.lot == c])) for c in lots if any(x.lot == c for x in lines))
    total = _sum([x.figures for x in lines])
    return FinanceSummary(load_rules(s).budget_cents, total, by_zone, tuple(lines), version, by_lot)


def check_nesting(sm: FinanceSummary) -> list[str]:
    """Every place where erogato ≤ vincolante ≤ ammesso ≤ programmato does not hold."""
    problems = []
    for line in sm.lines:
        f = line.figures
        if f.erogato_cents > f.vincolante_cents:
            problems.append(f"{line.protocol}: erogato oltre il giuridicamente vincolante")
        if f.vincolante_cents > f.ammesso_cents:
            problems.append(f"{line.protocol}: vincolante oltre l'ammesso a finanziamento")
    if sm.ammesso_cents > sm.programmato_cents:
        problems.append("ammesso a finanziamento oltre l'importo programmato")
    return problems


def indicator_summary(s: Session) -> tuple[list[IndicatorLine], list[tuple[str, list[IndicatorLine]]]]:
    """The call's indicators for the whole call and per zone, over the projects with an agreement."""
    indicators = load_rules(s).monitoring.indicators
    per_project: list[tuple[str, list[IndicatorLine]]] = []
    for c in s.scalars(select(Convenzione)):
        d = s.get(Domanda, c.domanda_id)
        if d is not None:
            per_project.append((d.zona.name if d.zona else NO_ZONE, impacts.project_lines(s, d.id)))
    everything = [line for _, lines in per_project for line in lines]
    total = [impacts.aggregate(ind, everything) for ind in indicators]
    zones = sorted({z for z, _ in per_project})
    by_zone = [
        (z, [impacts.aggregate(ind, [x for zz, ls in per_project if zz == z for x in ls]) for ind in indicators])
        for z in zones
    ]
    return total, by_zone
