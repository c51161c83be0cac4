"""Builders shared by the scoring and ranking tests: the Milan call, a small direct-points grid, candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from valutazione.bando import Bando, Criterion, SubCriterion, default_template, load_bando
from valutazione.ranking import Candidate

MILANO = load_bando(default_template())
ROME = ZoneInfo("Europe/Rome")
T0 = datetime(2018, 2, 1, 9, 0, tzinfo=ROME)
MEMBERS = ("Bianchi", "Rossi", "Verdi")


def grid_bando(
    maxima: Mapping[str, str] | None = None,
    thresholds: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Bando:
    """A call scored in direct points, one sub-criterion ``X.1`` per criterion: totals are easy to set."""
    maxima = maxima or {"A": "35", "B": "35", "C": "30"}
    thresholds = thresholds or {}
    criteria = tuple(
        Criterion(
            code,
            f"Criterio {code}",
            Decimal(maximum),
            Decimal(thresholds[code]) if code in thresholds else None,
            (SubCriterion(f"{code}.1", f"Sottocriterio {code}.1", Decimal(maximum)),),
        )
        for code, maximum in maxima.items()
    )
    settings: dict[str, Any] = {
        "method": "punti",
        "points_step": Decimal("0.5"),
        "criteria": criteria,
        "total_threshold": None,
        "tie_chain": (*maxima, "data_invio"),
    }
    settings.update(overrides)
    return replace(MILANO, **settings)


def uniform_marks(bando: Bando, value: str, members: Sequence[str] = MEMBERS) -> dict[str, dict[str, Decimal]]:
    """Every member gives ``value`` on every sub-criterion."""
    return {m: {s.code: Decimal(value) for s in bando.subcriteria} for m in members}


def points_marks(points: Mapping[str, str], members: Sequence[str] = MEMBERS) -> dict[str, dict[str, Decimal]]:
    """Every member gives the same direct points per criterion of a ``grid_bando``."""
    return {m: {f"{code}.1": Decimal(value) for code, value in points.items()} for m in members}


def candidate(
    protocol: str,
    marks: Mapping[str, Mapping[str, Decimal]],
    *,
    hours: int = 0,
    requested_cents: int = 5_000_000,
    expected_scorers: int | None = None,
    excluded: bool = False,
    renounced: bool = False,
) -> Candidate:
    return Candidate(
        protocol=protocol,
        applicant=f"Associazione {protocol}",
        tax_code="97000000000",
        title=f"Progetto {protocol}",
        submitted_at=T0 + timedelta(hours=hours),
        requested_cents=requested_cents,
        marks=marks,
        expected_scorers=len(marks) if expected_scorers is None else expected_scorers,
        excluded=excluded,
        renounced=renounced,
    )


SCALE = ("0.6", "0.7", "0.8", "0.9", "1.0")


def sample_inputs() -> tuple[Bando, list[Candidate]]:
    """A small Milan ranking with every outcome: funded, partly funded, not funded, renounced, below a
    threshold, not yet scored, excluded, and an unresolved tie (the fixture of a stored version)."""
    bando = replace(MILANO, budget_cents=15_000_000)
    subs = [s.code for s in bando.subcriteria]

    def varied(k: int) -> dict[str, dict[str, Decimal]]:
        return {
            m: {c: Decimal(SCALE[(i + 2 * j + 3 * k) % 5]) for j, c in enumerate(subs)} for i, m in enumerate(MEMBERS)
        }

    people = [candidate(f"PG {k:03}", varied(k), hours=k, requested_cents=4_000_000 + k * 10_000) for k in range(1, 7)]
    people += [
        candidate("PG 007", uniform_marks(bando, "0.8"), hours=7, requested_cents=4_500_000),
        candidate("PG 008", uniform_marks(bando, "0.8"), hours=7, requested_cents=4_500_000),
        candidate("PG 009", uniform_marks(bando, "0.3"), hours=9),
        candidate("PG 010", {}, hours=10, expected_scorers=3),
        candidate("PG 011", uniform_marks(bando, "0.9"), hours=11, excluded=True),
        candidate("PG 012", uniform_marks(bando, "1.0"), hours=12, renounced=True),
    ]
    return bando, people
