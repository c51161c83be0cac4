"""Expected impacts (*ricadute*): per project, a baseline and a target on each of the call's indicators, and
the values reported over time; summed (or averaged, for shares) per zone and for the whole call.

Only the indicators the call file announced can be used, so the figures of different projects add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.db import load_rules
from valutazione.errors import RuleViolation
from valutazione.money import group_thousands
from valutazione.projects.agreements import require_agreement
from valutazione.projects.dates import not_in_the_future
from valutazione.projects.numbers import places, trimmed
from valutazione.projects.rules import Indicator
from valutazione.projects.tables import IndicatoreObiettivo, IndicatoreValore


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of one project (or of a zone, or the call): where it started, aims, stands."""

    code: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    current_on: date | None


def _indicator(s: Session, code: str) -> Indicator:
    indicator = load_rules(s).monitoring.indicator(code.strip())
    if indicator is None:
        known = ", ".join(i.code for i in load_rules(s).monitoring.indicators) or "nessuno"
        raise RuleViolation(f"L'indicatore «{code}» non è tra quelli del bando (indicatori: {known}).")
    return indicator


MAX_VALUE = 10**9
MAX_PLACES = 6  # with at most ten digits before the comma, every value and sum stays within 28 digits


def _value(indicator: Indicator, value: Decimal, what: str) -> Decimal:
    """The value as stored: bounded in size and in decimal places, without trailing zeros.

    The places matter as much as the size: «0,000…1» (or «1e-999999999») passed the range check, and the
    monitoring export, which writes a decimal with all its places, then failed for the whole call
    (more digits than Decimal's precision) — one value typed on one project blocked every export.
    ``numbers.places`` counts them exactly.
    """
    try:
        finite = value.is_finite()
    except (AttributeError, InvalidOperation):
        finite = False
    if not finite or value < 0 or value > MAX_VALUE:
        raise RuleViolation(
            f"Il valore {what} di «{indicator.name}» deve essere un numero da 0 a {group_thousands(str(MAX_VALUE))}."
        )
    digits = places(value)
    if digits > MAX_PLACES:
        raise RuleViolation(
            f"Il valore {what} di «{indicator.name}» ha più di {MAX_PLACES} cifre dopo la virgola: arrotondarlo."
        )
    if indicator.unit == "percentuale" and value > 100:
        raise RuleViolation(f"Il valore {what} di «{indicator.name}» è una percentuale: da 0 a 100.")
    return trimmed(value)


def set_target(s: Session, actor: str, protocol: str, code: str, baseline: Decimal, target: Decimal) -> None:
    """Sets (or corrects, logged with the old values) a project's baseline and target on an indicator."""
    agreement = require_agreement(s, protocol)
    indicator = _indicator(s, code)
    baseline = _value(indicator, baseline, "di partenza")
    target = _value(indicator, target, "obiettivo")
    row = s.scalars(
        select(IndicatoreObiettivo).where(
            IndicatoreObiettivo.domanda_id == agreement.domanda_id, IndicatoreObiettivo.code == indicator.code
        )
    ).first()
    before = None if row is None else {"partenza": row.baseline, "obiettivo": row.target}
    if row is None:
        row = IndicatoreObiettivo(
            domanda_id=agreement.domanda_id, code=indicator.code, baseline=baseline, target=target
        )
        s.add(row)
    else:
        row.baseline, row.target = baseline, target
    s.flush()
    after = {"indicatore": indicator.code, "partenza": baseline, "obiettivo": target}
    audit.record(s, actor, "indicatore.obiettivo", "domanda", protocol, before, after)


def report_value(
    s: Session, actor: str, protocol: str, code: str, on_day: date, value: Decimal, note: str = ""
) -> None:
    """Records a value reported on a day (one per indicator and day: a second one is refused)."""
    agreement = require_agreement(s, protocol)
    indicator = _indicator(s, code)
    value = _value(indicator, value, "rilevato")
    not_in_the_future(on_day, f"Il valore rilevato di «{indicator.name}»")
    exists = s.scalars(
        select(IndicatoreValore.id).where(
            IndicatoreValore.domanda_id == agreement.domanda_id,
            IndicatoreValore.code == indicator.code,
            IndicatoreValore.on_day == on_day,
        )
    ).first()
    if exists is not None:
        raise RuleViolation(f"Per «{indicator.name}» di {protocol} c'è già un valore del {on_day:%d/%m/%Y}.")
    s.add(IndicatoreValore(domanda_id=agreement.domanda_id, code=indicator.code, on_day=on_day, value=value, note=note))
    s.flush()
    after = {"indicatore": indicator.code, "data": on_day, "valore": value, "nota": note}
    audit.record(s, actor, "indicatore.valore", "domanda", protocol, None, after)


def project_lines(s: Session, domanda_id: int) -> list[IndicatorLine]:
    """Every indicator of the call for one project, empty where nothing was set or reported."""
    targets = {
        t.code: t for t in s.scalars(select(IndicatoreObiettivo).where(IndicatoreObiettivo.domanda_id == domanda_id))
    }
    latest: dict[str, IndicatoreValore] = {}
    for reported in s.scalars(
        select(IndicatoreValore).where(IndicatoreValore.domanda_id == domanda_id).order_by(IndicatoreValore.on_day)
    ):
        latest[reported.code] = reported
    lines = []
    for ind in load_rules(s).monitoring.indicators:
        t, v = targets.get(ind.code), latest.get(ind.code)
        lines.append(
            IndicatorLine(
                ind.code,
                ind.name,
                ind.unit,
                t.baseline if t else None,
                t.target if t else None,
                v.value if v else None,
                v.on_day if v else None,
            )
        )
    return lines


def aggregate(indicator: Indicator, lines: list[IndicatorLine]) -> IndicatorLine:
    """Sum (counts) or mean (shares) of the projects' lines; a project without a value does not count."""

    def combine(values: list[Decimal]) -> Decimal | None:
        if not values:
            return None
        total = sum(values, Decimal(0))
        return total if indicator.aggregation == "somma" else (total / len(values)).quantize(Decimal("0.01"))

    mine = [x for x in lines if x.code == indicator.code]
    return IndicatorLine(
        indicator.code,
        indicator.name,
        indicator.unit,
        combine([x.baseline for x in mine if x.baseline is not None]),
        combine([x.target for x in mine if x.target is not None]),
        combine([x.current for x in mine if x.current is not None]),
        max((x.current_on for x in mine if x.current_on is not None), default=None),
    )
