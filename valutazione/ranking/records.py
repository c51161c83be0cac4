"""The ranking as data: rows, warnings, ties, and a fingerprint that lets a published ranking be reproduced.

Only frozen dataclasses and their canonical JSON live here; how the numbers are computed is in
``ranking.engine``. The fingerprint hashes a canonical JSON (sorted keys, decimals as strings, rows in ranking
order) so the same inputs always give the same hash, whatever order the applications were read in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from valutazione.money import from_cents
from valutazione.ranking.status import RankingStatus
from valutazione.scoring import SubScore

TOTAL = "totale"


@dataclass(frozen=True)
class ThresholdFailure:
    """A threshold not reached on raw points: ``code`` is a criterion code or ``totale``."""

    code: str
    points: Decimal
    threshold: Decimal


@dataclass(frozen=True)
class TieGroup:
    """Applications still equal after the whole tie chain and with no recorded draw."""

    id: str
    protocols: tuple[str, ...]


@dataclass(frozen=True, slots=True)  # a large call has tens of thousands: slots make them lighter
class RankingWarning:
    """Something to look at: ``scarto``, ``schede_identiche``, ``scheda_mancante`` or ``quorum``."""

    kind: str
    protocol: str
    sub_code: str | None
    member: str | None
    message: str


@dataclass(frozen=True, slots=True)  # one per application
class Row:
    """One application in the ranking; ``position`` is None for those not ranked (non ammessa, esclusa)."""

    position: int | None
    protocol: str
    applicant: str
    tax_code: str
    title: str
    submitted_at: datetime
    requested_cents: int
    criteria_raw: tuple[tuple[str, Decimal], ...]
    criteria_final: tuple[tuple[str, Decimal], ...]
    total_raw: Decimal
    total_final: Decimal
    subscores: Sequence[SubScore]  # a SheetColumns (records built when first read) from a computation
    status: RankingStatus
    grant_cents: int
    tie: str | None
    threshold_failures: tuple[ThresholdFailure, ...]
    scorers: tuple[str, ...]
    lot: str | None = None  # the lot's code in a call divided into lots; None in a single-budget call
    funding_note: str | None = None  # "quota:<code>", "residui" or "limite_richiedente" (lot-aware walk only)

    def raw(self, criterion: str) -> Decimal:
        return dict(self.criteria_raw)[criterion]

    def final(self, criterion: str) -> Decimal:
        return dict(self.criteria_final)[criterion]

    def subscore(self, sub_code: str) -> SubScore:
        for s in self.subscores:
            if s.code == sub_code:
                return s
        raise KeyError(sub_code)


@dataclass(frozen=True)
class LotSummary:
    """One lot of a call divided into lots: its money and how it was used (what a GUI's budget bar shows).

    ``received_cents`` is what the lot granted beyond its own budget (money redistributed to it);
    ``remaining_cents`` is its own money it did not use (moved to the pool when the call redistributes).
    """

    code: str
    name: str
    budget_cents: int
    cap_cents: int
    quota_reserved_cents: int
    quota_used_cents: int
    allocated_cents: int
    received_cents: int
    remaining_cents: int
    ranked: int
    funded: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "budget": _money(self.budget_cents),
            "cap": _money(self.cap_cents),
            "quota_reserved": _money(self.quota_reserved_cents),
            "quota_used": _money(self.quota_used_cents),
            "allocated": _money(self.allocated_cents),
            "received": _money(self.received_cents),
            "remaining": _money(self.remaining_cents),
            "ranked": self.ranked,
            "funded": self.funded,
        }


@dataclass(frozen=True)
class Redistribution:
    """The call's rule for unused money and what it moved: ``pool`` = the lots' leftovers after their walks."""

    rule: str
    pool_cents: int
    redistributed_cents: int

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "pool": _money(self.pool_cents), "redistributed": _money(self.redistributed_cents)}


@dataclass(frozen=True)
class Ranking:
    """A computed ranking. It can become final only when ``can_be_final``; ``reasons`` says why not."""

    bando_code: str
    rows: tuple[Row, ...]
    budget_cents: int
    allocated_cents: int
    remaining_cents: int
    funding_line: int
    warnings: Sequence[RankingWarning]  # a RankingWarnings (built when first read) from a computation
    unresolved_ties: tuple[TieGroup, ...]
    can_be_final: bool
    reasons: tuple[str, ...]
    parameters: Mapping[str, Any]
    lots: tuple[LotSummary, ...] = ()  # empty for a single-budget call
    redistribution: Redistribution | None = None

    def row(self, protocol: str) -> Row:
        for r in self.rows:
            if r.protocol == protocol:
                return r
        raise KeyError(protocol)

    def lot_rows(self, code: str) -> tuple[Row, ...]:
        """The rows of one lot, in ranking order (positions are per lot)."""
        return tuple(r for r in self.rows if r.lot == code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored with each version (the caller adds state, version and fingerprint)."""
        return {
            **self._lot_part(),
            "bando": self.bando_code,
            "budget": _money(self.budget_cents),
            "allocated": _money(self.allocated_cents),
            "remaining": _money(self.remaining_cents),
            "rows": [
                {
                    "position": r.position,
                    "protocol": r.protocol,
                    "applicant": r.applicant,
                    "tax_code": r.tax_code,
                    "title": r.title,
                    "points": {**{c: str(v) for c, v in r.criteria_final}, "total": str(r.total_final)},
                    "status": r.status,
                    "grant": _money(r.grant_cents),
                    "tie": r.tie,
                    **_lot_keys(r),
                }
                for r in self.rows
            ],
            "warnings": [
                {
                    "kind": w.kind,
                    "protocol": w.protocol,
                    "sub_code": w.sub_code,
                    "member": w.member,
                    "message": w.message,
                }
                for w in self.warnings
            ],
        }

    def canonical_json(self) -> str:
        """Everything that decides the ranking, in one canonical text: what the fingerprint hashes."""
        content = {
            **self._lot_part(),
            "parameters": self.parameters,
            "budget": _money(self.budget_cents),
            "allocated": _money(self.allocated_cents),
            "remaining": _money(self.remaining_cents),
            "funding_line": self.funding_line,
            "rows": [_full_row(r) for r in self.rows],
        }
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)

    def _lot_part(self) -> dict[str, Any]:
        """Lots and redistribution, only for a call that has them: a single-budget ranking's JSON (and so
        its fingerprint) stays what it always was."""
        out: dict[str, Any] = {}
        if self.lots:
            out["lots"] = [lot.to_dict() for lot in self.lots]
        if self.redistribution is not None:
            out["redistribution"] = self.redistribution.to_dict()
        return out

    def fingerprint(self) -> str:
        """SHA-256 hex of ``canonical_json()``: printed on the ranking so an appeal can reproduce it.

        The text is assembled from pieces (``ranking.fingerprint``: the same bytes, four times faster at
        5,000 applications), which matters wherever a ranking is shown, approved or exported."""
        from valutazione.ranking.fingerprint import canonical_text  # it builds on this module

        return hashlib.sha256(canonical_text(self).encode("utf-8")).hexdigest()


def _money(cents: int) -> str:
    return str(from_cents(cents))


def _canonical(value: Decimal) -> str:
    """One spelling per value (``0.80`` and ``0.8`` are the same mark and must hash the same)."""
    return format(value.normalize(), "f")


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return _fraction(value)
    raise TypeError(f"valore non serializzabile: {value!r}")


def _lot_keys(r: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.lot is not None:
        out["lot"] = r.lot
    if r.funding_note is not None:
        out["funding_note"] = r.funding_note
    return out


def _full_row(r: Row, subscores: Sequence[SubScore] | None = None) -> dict[str, Any]:
    """A row as the canonical JSON holds it; with ``subscores`` given, those instead of the row's own
    (the fingerprint spells the row's around an empty list, without copying the row to empty it)."""
    return {
        "position": r.position,
        "protocol": r.protocol,
        "applicant": r.applicant,
        "tax_code": r.tax_code,
        "title": r.title,
        "submitted_at": r.submitted_at.astimezone(UTC).isoformat(),
        "requested": _money(r.requested_cents),
        "criteria_raw": {c: str(v) for c, v in r.criteria_raw},
        "criteria_final": {c: str(v) for c, v in r.criteria_final},
        "total_raw": str(r.total_raw),
        "total_final": str(r.total_final),
        "subscores": [
            {
                "code": s.code,
                "method": s.method,
                "maximum": _canonical(s.maximum),
                "marks": [[m, _canonical(v)] for m, v in s.coefficients],
                "mean": _fraction(s.mean),
                "points_exact": _fraction(s.points_exact),
                "points": str(s.points),
                "divisor": None if s.divisor is None else _canonical(s.divisor),
                "member_divisors": [[m, _canonical(v)] for m, v in s.member_divisors],
            }
            for s in (r.subscores if subscores is None else subscores)
        ],
        "status": r.status,
        "grant": _money(r.grant_cents),
        "tie": r.tie,
        "threshold_failures": [[f.code, str(f.points), str(f.threshold)] for f in r.threshold_failures],
        **_lot_keys(r),
    }
