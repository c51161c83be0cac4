"""An approved version of the ranking as stored in the file: one writer, one reader, a schema version.

The stored JSON is the evidence in an appeal: the documents of an approved version are printed from
it, never recomputed, and ``services.ranking.reproduce`` recomputes the ranking from the inputs it
records. So it is written in exactly one place (``version_json``) with an explicit ``schema_version``,
and read in exactly one place (``read_version``) into a frozen ``StoredVersion``.

Files already in the field hold versions written before the schema was numbered (schema 1): rows in
the shape of ``Ranking.to_dict()`` (points under ``points`` with a ``total`` key), later with the raw
points, requested amounts and threshold failures added, and possibly rows in the canonical shape
(``criteria_final``/``total_final``). ``read_version`` reads all of them; what an old version lacks is
``None`` and the documents leave it out. Schema 2 added the number; schema 3 the lot of each row, the
lots' summaries and the redistribution of unused money (absent, i.e. a single-budget call, in 1 and 2).
Schema 4 added the members' pairwise comparisons to the inputs (a call scoring a criterion by pairs is
computed from them as much as from the marks; ``None`` in older versions, i.e. not recorded).
A version written by a newer program is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from valutazione.errors import ValutazioneError
from valutazione.money import from_cents, to_cents
from valutazione.pairwise import Comparison
from valutazione.ranking.engine import Candidate, PairwiseInput
from valutazione.ranking.records import LotSummary, Ranking, RankingWarning, Redistribution, Row
from valutazione.ranking.status import RankingStatus

SCHEMA_VERSION = 4  # 4: the inputs carry the pairwise comparisons; 3: rows carry their lot and funding note
LEGACY_SCHEMA = 1  # versions stored before the field existed


class StoredVersionError(ValutazioneError):
    """A stored version that cannot be read: damaged, or written by a newer program."""


@dataclass(frozen=True)
class StoredRow:
    """One application of a stored ranking; the ``None`` fields are absent from schema-1 versions."""

    position: int | None
    protocol: str
    applicant: str
    tax_code: str
    title: str
    criteria_final: Mapping[str, Decimal]
    total_final: Decimal
    status: RankingStatus
    grant_cents: int
    tie: str | None
    criteria_raw: Mapping[str, Decimal] | None = None
    total_raw: Decimal | None = None
    requested_cents: int | None = None
    threshold_failures: tuple[tuple[str, Decimal, Decimal], ...] = ()
    lot: str | None = None
    funding_note: str | None = None


@dataclass(frozen=True)
class StoredCandidate:
    """An application as the engine saw it when the version was approved, with its sheets' hashes."""

    protocol: str
    applicant: str
    tax_code: str
    title: str
    submitted_at: datetime
    requested_cents: int
    expected_scorers: int
    excluded: bool
    renounced: bool
    sheets: tuple[tuple[str, str | None], ...]  # (member name, submitted sheet's hash)
    lot: str | None = None
    project_type: str | None = None
    properties: frozenset[str] = frozenset()

    def candidate(self, marks: Mapping[str, Mapping[str, Decimal]]) -> Candidate:
        """The engine's record again, with ``marks`` read from the sheets kept in the file."""
        return Candidate(
            self.protocol,
            self.applicant,
            self.tax_code,
            self.title,
            self.submitted_at,
            self.requested_cents,
            marks,
            self.expected_scorers,
            self.excluded,
            self.renounced,
            self.lot,
            self.project_type,
            self.properties,
        )


@dataclass(frozen=True)
class StoredInputs:
    """The facts the version was computed from: the call's rules, the applications, the draws."""

    rules: Mapping[str, Any]
    candidates: tuple[StoredCandidate, ...]
    draws: Mapping[frozenset[str], tuple[str, ...]]
    # {sub-criterion: {member: comparisons}} as the engine used them; None before schema 4 (not recorded)
    comparisons: Mapping[str, Mapping[str, tuple[Comparison, ...]]] | None = None


@dataclass(frozen=True)
class StoredVersion:
    """Everything an approved version recorded, typed; the one way the program reads it back."""

    schema_version: int
    bando_code: str | None
    state: str | None
    version: int | None
    fingerprint: str | None
    approved_at: datetime | None
    budget_cents: int
    allocated_cents: int
    remaining_cents: int
    funding_line: int
    rows: tuple[StoredRow, ...]
    warnings: tuple[RankingWarning, ...]
    reasons: tuple[str, ...]
    parameters: Mapping[str, Any] | None
    inputs: StoredInputs | None
    lots: tuple[LotSummary, ...] = ()
    redistribution: Redistribution | None = None

    @property
    def ranked(self) -> tuple[StoredRow, ...]:
        return tuple(r for r in self.rows if r.position is not None)

    def grants(self) -> dict[str, int]:
        """Protocol → granted cents, for the applications that received money."""
        return {r.protocol: r.grant_cents for r in self.rows if r.grant_cents > 0}


def stored_row(r: Row) -> StoredRow:
    """A computed row as a stored row (what a document of the ranking just computed shows)."""
    return StoredRow(
        position=r.position,
        protocol=r.protocol,
        applicant=r.applicant,
        tax_code=r.tax_code,
        title=r.title,
        criteria_final=dict(r.criteria_final),
        total_final=r.total_final,
        status=r.status,
        grant_cents=r.grant_cents,
        tie=r.tie,
        criteria_raw=dict(r.criteria_raw),
        total_raw=r.total_raw,
        requested_cents=r.requested_cents,
        threshold_failures=tuple((f.code, f.points, f.threshold) for f in r.threshold_failures),
        lot=r.lot,
        funding_note=r.funding_note,
    )


def inputs_json(
    rules: Mapping[str, Any],
    candidates: Iterable[Candidate],
    sheets: Mapping[str, Mapping[str, str | None]],
    draws: Mapping[frozenset[str], tuple[str, ...]],
    comparisons: PairwiseInput | None = None,
) -> dict[str, Any]:
    """The inputs' part of a version: rules, every candidate with its marks and sheet hashes, draws, and the
    members' pairwise comparisons (each ``[a, b, preferred or null, degree]``, sorted)."""
    return {
        "comparisons": {
            sub: {
                member: [[c.a, c.b, c.preferred, str(c.degree)] for c in sorted(cs, key=lambda c: (c.a, c.b))]
                for member, cs in sorted(members.items())
            }
            for sub, members in sorted((comparisons or {}).items())
        },
        "rules": dict(rules),
        "candidates": [
            {
                "protocol": c.protocol,
                "applicant": c.applicant,
                "tax_code": c.tax_code,
                "title": c.title,
                "submitted_at": c.submitted_at.isoformat(),
                "requested_cents": c.requested_cents,
                "expected_scorers": c.expected_scorers,
                "excluded": c.excluded,
                "renounced": c.renounced,
                "marks": {m: {k: str(v) for k, v in ms.items()} for m, ms in c.marks.items()},
                "sheets": sorted([name, digest] for name, digest in sheets.get(c.protocol, {}).items()),
                **_candidate_lot(c),
            }
            for c in candidates
        ],
        "draws": sorted([sorted(g), list(o)] for g, o in draws.items()),
    }


def _candidate_lot(c: Candidate) -> dict[str, Any]:
    """A candidate's lot, type and properties, written only when set (a single-budget call's inputs keep
    their shape)."""
    out: dict[str, Any] = {}
    if c.lot is not None:
        out["lot"] = c.lot
    if c.project_type is not None:
        out["project_type"] = c.project_type
    if c.properties:
        out["properties"] = sorted(c.properties)
    return out


def warning_json(w: RankingWarning) -> dict[str, Any]:
    return {"kind": w.kind, "protocol": w.protocol, "sub_code": w.sub_code, "member": w.member, "message": w.message}


def version_json(
    ranking: Ranking,
    *,
    state: str,
    version: int,
    approved_at: datetime,
    warnings: Sequence[RankingWarning],
    reasons: Sequence[str],
    inputs: Mapping[str, Any],
) -> str:
    """The one writer: the text stored in ``GraduatoriaVersion.content_json``."""
    content = {
        "schema_version": SCHEMA_VERSION,
        "bando": ranking.bando_code,
        "state": state,
        "version": version,
        "fingerprint": ranking.fingerprint(),
        "approved_at": approved_at.isoformat(),
        "budget": _money(ranking.budget_cents),
        "allocated": _money(ranking.allocated_cents),
        "remaining": _money(ranking.remaining_cents),
        "funding_line": ranking.funding_line,
        "parameters": ranking.parameters,
        "rows": [_row_json(r) for r in ranking.rows],
        "warnings": [warning_json(w) for w in warnings],
        "reasons": list(reasons),
        "inputs": inputs,
    }
    if ranking.lots:
        content["lots"] = [lot.to_dict() for lot in ranking.lots]
    if ranking.redistribution is not None:
        content["redistribution"] = ranking.redistribution.to_dict()
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def _row_json(r: Row) -> dict[str, Any]:
    return {
        "position": r.position,
        "protocol": r.protocol,
        "applicant": r.applicant,
        "tax_code": r.tax_code,
        "title": r.title,
        "points": {**{c: str(v) for c, v in r.criteria_final}, "total": str(r.total_final)},
        "status": r.status.value,
        "grant": _money(r.grant_cents),
        "tie": r.tie,
        "requested_cents": r.requested_cents,
        "criteria_raw": {c: str(v) for c, v in r.criteria_raw},
        "total_raw": str(r.total_raw),
        "threshold_failures": [[f.code, str(f.points), str(f.threshold)] for f in r.threshold_failures],
        **({} if r.lot is None else {"lot": r.lot}),
        **({} if r.funding_note is None else {"funding_note": r.funding_note}),
    }


def read_version(content: str | Mapping[str, Any]) -> StoredVersion:
    """The one reader: any stored version, of any schema this program knows, as a ``StoredVersion``."""
    try:
        data: Any = json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError as exc:
        raise StoredVersionError(f"Versione della graduatoria illeggibile (JSON non valido: {exc.msg}).") from None
    if not isinstance(data, Mapping):
        raise StoredVersionError("Versione della graduatoria illeggibile: il contenuto non è un oggetto JSON.")
    schema = data.get("schema_version", LEGACY_SCHEMA)
    if not isinstance(schema, int) or schema < LEGACY_SCHEMA:
        raise StoredVersionError(f"Versione della graduatoria con formato «{schema}» non riconosciuto.")
    if schema > SCHEMA_VERSION:
        raise StoredVersionError(
            f"Versione della graduatoria scritta nel formato {schema}, più recente di quello che questo "
            f"programma conosce ({SCHEMA_VERSION}): aggiornare il programma per leggerla."
        )
    try:
        return _read(data, schema)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise StoredVersionError(f"Versione della graduatoria danneggiata: {_why(exc)}.") from None


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"manca il campo «{exc.args[0]}»"
    return str(exc) or type(exc).__name__


def _read(data: Mapping[str, Any], schema: int) -> StoredVersion:
    rows = tuple(_stored_row(r) for r in data.get("rows", []))
    if "funding_line" in data:
        line = int(data["funding_line"])
    else:  # schema 1 before the line was stored: below the last funded row
        funded = [i for i, r in enumerate(rows) if r.status.funded]
        line = funded[-1] + 1 if funded else 0
    approved_at = data.get("approved_at")
    inputs = data.get("inputs")
    return StoredVersion(
        schema_version=schema,
        bando_code=_optional_str(data.get("bando")),
        state=_optional_str(data.get("state")),
        version=None if data.get("version") is None else int(data["version"]),
        fingerprint=_optional_str(data.get("fingerprint")),
        approved_at=datetime.fromisoformat(approved_at) if approved_at else None,
        budget_cents=_cents(data.get("budget", "0")),
        allocated_cents=_cents(data.get("allocated", "0")),
        remaining_cents=_cents(data.get("remaining", "0")),
        funding_line=line,
        rows=rows,
        warnings=tuple(_warning(w) for w in data.get("warnings", [])),
        reasons=tuple(str(r) for r in data.get("reasons", [])),
        parameters=dict(data["parameters"]) if data.get("parameters") else None,
        inputs=_inputs(inputs) if inputs else None,
        lots=tuple(_lot_summary(raw) for raw in data.get("lots", [])),
        redistribution=_redistribution(data["redistribution"]) if data.get("redistribution") else None,
    )


def _lot_summary(raw: Mapping[str, Any]) -> LotSummary:
    return LotSummary(
        code=str(raw["code"]),
        name=str(raw["name"]),
        budget_cents=_cents(raw["budget"]),
        cap_cents=_cents(raw["cap"]),
        quota_reserved_cents=_cents(raw["quota_reserved"]),
        quota_used_cents=_cents(raw["quota_used"]),
        allocated_cents=_cents(raw["allocated"]),
        received_cents=_cents(raw["received"]),
        remaining_cents=_cents(raw["remaining"]),
        ranked=int(raw["ranked"]),
        funded=int(raw["funded"]),
    )


def _redistribution(raw: Mapping[str, Any]) -> Redistribution:
    return Redistribution(str(raw["rule"]), _cents(raw["pool"]), _cents(raw["redistributed"]))


def _stored_row(raw: Mapping[str, Any]) -> StoredRow:
    if "criteria_final" in raw:  # canonical shape
        final = _decimals(raw["criteria_final"])
        total = Decimal(str(raw["total_final"]))
    else:  # to_dict() shape: criteria and total together under ``points``
        pts = dict(raw.get("points", {}))
        total = Decimal(str(pts.pop("total", "0")))
        final = _decimals(pts)
    failures = tuple((str(c), Decimal(str(p)), Decimal(str(t))) for c, p, t in raw.get("threshold_failures", []))
    return StoredRow(
        position=None if raw.get("position") is None else int(raw["position"]),
        protocol=str(raw["protocol"]),
        applicant=str(raw.get("applicant", "")),
        tax_code=str(raw.get("tax_code", "")),
        title=str(raw.get("title", "")),
        criteria_final=final,
        total_final=total,
        status=RankingStatus.parse(str(raw["status"])),
        grant_cents=_cents(raw.get("grant", "0")),
        tie=_optional_str(raw.get("tie")),
        criteria_raw=_decimals(raw.get("criteria_raw") or {}) or None,
        total_raw=None if raw.get("total_raw") is None else Decimal(str(raw["total_raw"])),
        requested_cents=_requested(raw),
        threshold_failures=failures,
        lot=_optional_str(raw.get("lot")),
        funding_note=_optional_str(raw.get("funding_note")),
    )


def _requested(raw: Mapping[str, Any]) -> int | None:
    """The requested amount in either spelling (integer ``requested_cents``, euro string ``requested``)."""
    if raw.get("requested_cents") is not None:
        return int(raw["requested_cents"])
    return _cents(raw["requested"]) if raw.get("requested") is not None else None


def _warning(raw: Any) -> RankingWarning:
    if not isinstance(raw, Mapping):  # the earliest versions kept the message only
        return RankingWarning("", "", None, None, str(raw))
    return RankingWarning(
        str(raw.get("kind", "")),
        str(raw.get("protocol", "")),
        _optional_str(raw.get("sub_code")),
        _optional_str(raw.get("member")),
        str(raw["message"]),
    )


def _inputs(raw: Mapping[str, Any]) -> StoredInputs:
    candidates = tuple(
        StoredCandidate(
            protocol=str(c["protocol"]),
            applicant=str(c["applicant"]),
            tax_code=str(c["tax_code"]),
            title=str(c["title"]),
            submitted_at=datetime.fromisoformat(c["submitted_at"]),
            requested_cents=int(c["requested_cents"]),
            expected_scorers=int(c["expected_scorers"]),
            excluded=bool(c["excluded"]),
            renounced=bool(c["renounced"]),
            sheets=tuple((str(name), _optional_str(digest)) for name, digest in c["sheets"]),
            lot=_optional_str(c.get("lot")),
            project_type=_optional_str(c.get("project_type")),
            properties=frozenset(str(p) for p in c.get("properties", [])),
        )
        for c in raw["candidates"]
    )
    draws = {frozenset(str(p) for p in group): tuple(str(p) for p in order) for group, order in raw["draws"]}
    return StoredInputs(dict(raw["rules"]), candidates, draws, _comparisons(raw.get("comparisons")))


def _comparisons(raw: Any) -> dict[str, dict[str, tuple[Comparison, ...]]] | None:
    if raw is None:
        return None
    return {
        str(sub): {
            str(member): tuple(
                Comparison(str(a), str(b), _optional_str(preferred), Decimal(str(degree)))
                for a, b, preferred, degree in cs
            )
            for member, cs in members.items()
        }
        for sub, members in raw.items()
    }


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _money(cents: int) -> str:
    return str(from_cents(cents))


def _cents(value: Any) -> int:
    return to_cents(Decimal(str(value)))


def _decimals(mapping: Mapping[str, Any]) -> dict[str, Decimal]:
    return {str(k): Decimal(str(v)) for k, v in mapping.items()}
