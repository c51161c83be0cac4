"""The ranking service: candidates from the file, the pure engine, approved versions, draws, sliding.

The engine (``valutazione.ranking``) sees only frozen records; this module decides what goes into
them: only *submitted* sheets of scoring members not in conflict, exclusions from the admissibility
decisions, renunciations, recorded draws. Each approved version stores its content, its parameters,
its inputs and the SHA-256 fingerprint, so that on appeal ``reproduce`` can recompute it from the
scores kept in the file and show that nothing changed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, cast, func, literal, select, type_coerce
from sqlalchemy import text as sql_text
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from valutazione import audit, collector, seals
from valutazione.bando import Bando, bando_from_stored
from valutazione.bando_lotti import quota_properties
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import (
    Ammissibilita,
    Commissario,
    Domanda,
    GraduatoriaVersion,
    Rinuncia,
    Scheda,
    Sorteggio,
    Voto,
    utcnow,
)
from valutazione.projects.states import ACTIVE
from valutazione.projects.tables import Convenzione
from valutazione.ranking import Candidate, build_ranking
from valutazione.ranking.engine import PairwiseInput as EnginePairwise
from valutazione.ranking.records import Ranking, RankingWarning
from valutazione.ranking.stored import StoredVersion, inputs_json, read_version, version_json, warning_json
from valutazione.services import lookup, sedute
from valutazione.services.committee import SCORING_ROLES
from valutazione.services.conflicts import EXCLUDED_OUTCOMES, all_conflicts
from valutazione.services.pairwise_entry import PairwiseInput, all_comparisons
from valutazione.services.sheets import SUBMITTED
from valutazione.sheet_columns import SheetRows

PROVISIONAL = "provvisoria"
FINAL = "definitiva"
STATES = (PROVISIONAL, FINAL)
COMPUTED = "calcolata"
UNDECIDED = "ammissibilita_da_decidere"


@dataclass(frozen=True)
class _Facts:
    """What a version's record is made of, kept until (and unless) a version is approved."""

    rules: Bando
    candidates: tuple[Candidate, ...]
    sheets: dict[str, dict[str, str | None]]  # protocol -> {member name: submitted sheet's hash}
    draws: dict[frozenset[str], tuple[str, ...]]


@dataclass(frozen=True)
class Computed:
    """The engine's ranking plus what only the file knows (undecided admissibility) and its inputs."""

    ranking: Ranking
    undecided: tuple[str, ...]
    facts: _Facts = field(repr=False, compare=False)
    comparisons: PairwiseInput = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """The facts as JSON for the version's record (rules, every candidate with its marks, draws).

        Built on first use, because only approving a version stores it: showing the ranking does not
        need a string for each of 225,000 marks at 5,000 applications.
        """
        f = self.facts
        return inputs_json(f.rules.to_mapping(), f.candidates, f.sheets, f.draws, self.comparisons)

    @property
    def all_warnings(self) -> tuple[RankingWarning, ...]:
        """The engine's warnings, after one for each application whose admissibility is undecided."""
        extra = tuple(
            RankingWarning(UNDECIDED, p, None, None, f"Domanda {p}: ammissibilità formale non ancora decisa")
            for p in self.undecided
        )
        return extra + tuple(self.ranking.warnings)

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """``all_warnings`` as JSON objects, as the command line prints them."""
        return [warning_json(w) for w in self.all_warnings]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the ranking cannot become final (empty when it can)."""
        own = tuple(f"Ammissibilità non ancora decisa per la domanda {p}" for p in self.undecided)
        return own + self.ranking.reasons

    @property
    def can_be_final(self) -> bool:
        return not self.reasons

    def fingerprint(self) -> str:
        return self.ranking.fingerprint()


@dataclass(frozen=True)
class Reproduction:
    version: int
    stored_fingerprint: str
    recomputed_fingerprint: str
    changed_sheets: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.stored_fingerprint == self.recomputed_fingerprint and not self.changed_sheets


class _Decimals(dict[str, Decimal]):
    """Stored mark text -> Decimal, converted once per distinct text (a call has a handful).

    The program stores only numbers, but the column's check lets any text through whose SQLite reading
    is a number ('abc' reads as 0): such a text, written by hand, is refused in Italian, not with
    Python's conversion error.
    """

    def __missing__(self, text: str) -> Decimal:
        try:
            value = self[text] = Decimal(text)
        except InvalidOperation:
            raise RuleViolation(
                f"Un voto delle schede inviate («{text[:40]}») non è un numero: il file è stato modificato "
                "fuori dal programma; verificarlo con la verifica del registro."
            ) from None
        return value


_NEXT = "\x1e"  # between two marks' codes, between their values: in no code or value
_PART = "\x1d"  # between a sheet's count of marks, its codes and its values

Marks = Mapping[str, Mapping[str, Decimal]]  # {member: {sub_code: mark}} of one application


def _submitted_marks(
    s: Session, names: dict[int, str], conflicts: set[tuple[int, int]]
) -> tuple[dict[int, dict[str, str | None]], dict[int, Marks]]:
    """Per application, the submitted sheets' hashes and marks of scoring members not in conflict.

    Not a query per application or per sheet (``_sheets_with_marks``): each submitted sheet comes with its
    marks joined by the database in one text (how many, their codes, their values), aggregated together so that the n-th
    code goes with the n-th value (SQLite steps every aggregate of a group on each row in turn;
    PostgreSQL is told to order both by code). 25,000 rows instead of 225,000 at 5,000 applications;
    the codes of a sheet are split once per distinct text (nearly every sheet has the same), the values
    read as their stored text and turned into ``Decimal`` once per distinct text: the same ``Decimal``
    ``ExactDecimal`` would build. An application whose sheets all hold the same codes gets them as
    ``SheetRows`` (one tuple per sheet), any other as dicts. A code or value holding a separator (no
    call's code does, but the rules are the user's) makes the counts disagree, and the marks are then
    read one row each.
    """
    hashes: dict[int, dict[str, str | None]] = {}
    rows: dict[int, dict[str, tuple[Decimal, ...]]] = {}
    codes: dict[int, tuple[str, ...]] = {}  # the codes of an application's first sheet
    other: dict[tuple[int, str], tuple[str, ...]] = {}  # the codes of a sheet that has others
    decimal_of = _Decimals().__getitem__
    split: dict[str, tuple[tuple[str, ...], str]] = {}  # codes' text -> the codes, and how many as text
    for did, mid, digest, text in _sheets_with_marks(s.connection()):
        name = names.get(mid)
        if name is None or (conflicts and (mid, did) in conflicts):
            continue
        digests = hashes.get(did)
        if digests is None:
            digests = hashes[did] = {}
        digests[name] = digest
        keys: tuple[str, ...] = ()
        values: tuple[Decimal, ...] = ()
        if text is not None:  # NULL: no mark with a value
            parts = text.split(_PART)
            if len(parts) != 3:
                return _marks_row_by_row(s, names, conflicts)
            count, code_text, value_text = parts
            known = split.get(code_text)
            if known is None:
                codes_read = tuple(code_text.split(_NEXT))
                known = split[code_text] = (codes_read, str(len(codes_read)))
            keys = known[0]
            values = tuple(map(decimal_of, value_text.split(_NEXT)))
            if count != known[1] or len(values) != len(keys):
                return _marks_row_by_row(s, names, conflicts)
        sheets = rows.get(did)
        if sheets is None:
            rows[did], codes[did] = {name: values}, keys
        else:
            sheets[name] = values
            if keys is not codes[did]:
                other[did, name] = keys
    mixed = {did for did, _ in other}
    marks_by: dict[int, Marks] = {
        did: SheetRows(codes[did], sheets)
        if did not in mixed
        else {name: dict(zip(other.get((did, name), codes[did]), v, strict=True)) for name, v in sheets.items()}
        for did, sheets in rows.items()
    }
    return hashes, marks_by


def _sheets_with_marks(connection: Connection) -> Sequence[tuple[int, int, str | None, str | None]]:
    """Each submitted sheet's application, member, hash and marks' text (``_marks_text``; None: no mark).

    On SQLite one query, the text a correlated subquery: the fastest there. PostgreSQL would run that
    subquery once per sheet, so there the marks are grouped by sheet in one query and matched here.
    """
    sheet = (Scheda.domanda_id, Scheda.commissario_id, Scheda.content_hash)
    if connection.dialect.name != "postgresql":
        text = select(_marks_text(False)).where(Voto.scheda_id == Scheda.id, Voto.value.is_not(None))
        query = select(*sheet, text.scalar_subquery()).where(Scheda.state == SUBMITTED)
        return connection.execute(query).fetchall()
    grouped = select(Voto.scheda_id, _marks_text(True)).where(Voto.value.is_not(None)).group_by(Voto.scheda_id)
    texts: dict[int, str] = dict(connection.execute(grouped).fetchall())
    query = select(Scheda.id, *sheet).where(Scheda.state == SUBMITTED)
    return [(did, mid, digest, texts.get(sid)) for sid, did, mid, digest in connection.execute(query)]


def _marks_text(postgres: bool) -> ColumnElement[str]:
    """A sheet's marks with a value as one text: their count, their codes, their values (see ``_submitted_marks``)."""
    count = cast(func.count(), String)
    codes, values = (_joined(c, postgres) for c in (Voto.sub_code, type_coerce(Voto.value, String)))
    return count + _written(_PART) + codes + _written(_PART) + values


def _written(separator: str) -> ColumnElement[str]:
    """A separator written into the statement rather than bound to it: SQLite copies a bound value each
    time the correlated subquery of ``_sheets_with_marks`` runs, 25,000 times at 5,000 applications,
    which took a third of the query's time (benchmarks/README.md, round five, fourth stop)."""
    return literal(separator, String, literal_execute=True)


def _joined(column: ColumnElement[str] | InstrumentedAttribute[str], postgres: bool) -> ColumnElement[str]:
    """The texts of a sheet's marks joined in one (in code order on PostgreSQL, whose aggregates may
    otherwise read a group's rows in any order each)."""
    if postgres:
        from sqlalchemy.dialects.postgresql import aggregate_order_by  # only for a server: not at start-up

        return func.string_agg(column, aggregate_order_by(_written(_NEXT), Voto.sub_code))
    return func.group_concat(column, _written(_NEXT))


def _marks_row_by_row(
    s: Session, names: dict[int, str], conflicts: set[tuple[int, int]]
) -> tuple[dict[int, dict[str, str | None]], dict[int, Marks]]:
    """``_submitted_marks`` read one mark a row, as dicts: for codes or values holding a separator of the
    joined reading."""
    connection = s.connection()
    hashes: dict[int, dict[str, str | None]] = {}
    marks_by: dict[int, dict[str, dict[str, Decimal]]] = {}
    owner: dict[int, dict[str, Decimal]] = {}
    sheet_rows = select(Scheda.id, Scheda.domanda_id, Scheda.commissario_id, Scheda.content_hash)
    for sheet_id, did, mid, digest in connection.execute(sheet_rows.where(Scheda.state == SUBMITTED)).fetchall():
        name = names.get(mid)
        if name is not None and (mid, did) not in conflicts:
            hashes.setdefault(did, {})[name] = digest
            owner[sheet_id] = marks_by.setdefault(did, {})[name] = {}
    decimals = _Decimals()
    marks = select(Voto.scheda_id, Voto.sub_code, type_coerce(Voto.value, String)).where(Voto.value.is_not(None))
    for sheet_id, code, text in connection.execute(marks).fetchall():
        sheet = owner.get(sheet_id)
        if sheet is not None:
            sheet[code] = decimals[text]
    return hashes, dict(marks_by)


def _inputs(s: Session, bando: Bando) -> tuple[list[Candidate], tuple[str, ...], _Facts]:
    """Candidates as the engine needs them, and the facts behind them for the version's record."""
    everyone = list(s.scalars(select(Commissario)))
    scorers = {m.id for m in everyone if m.role in SCORING_ROLES}
    names = {m.id: m.name for m in everyone if m.id in scorers}
    conflicts = all_conflicts(s)
    # Read on the connection, past the session's ORM layer (22 → 9 ms at 20,000 decisions):
    # the session has already flushed anything pending, to read the members above.
    outcomes = dict(s.connection().execute(select(Ammissibilita.domanda_id, Ammissibilita.outcome)).all())
    renounced = set(s.scalars(select(Rinuncia.domanda_id)))
    hashes, marks_by = _submitted_marks(s, names, conflicts)
    candidates, undecided = [], []
    sheets: dict[str, dict[str, str | None]] = {}
    domande = select(
        Domanda.id,
        Domanda.protocol,
        Domanda.applicant,
        Domanda.tax_code,
        Domanda.title,
        Domanda.submitted_at,
        Domanda.grant_cents,
        Domanda.lot_code,
        Domanda.project_type,
        Domanda.quota_properties,
    ).order_by(Domanda.protocol)
    abstaining = Counter(did for mid, did in conflicts if mid in scorers)  # scorers not expected per application
    everybody = len(scorers)
    for did, protocol, applicant, tax_code, title, at, cents, lot, kind, properties in (
        s.connection().execute(domande).fetchall()
    ):
        outcome = outcomes.get(did)
        if outcome is None:
            undecided.append(protocol)
        candidates.append(
            Candidate(
                protocol,
                applicant,
                tax_code,
                title,
                at,
                cents,
                marks_by.get(did, {}),
                everybody - abstaining[did],
                outcome in EXCLUDED_OUTCOMES,
                did in renounced,
                lot,
                kind,
                quota_properties(properties),
            )
        )
        sheets[protocol] = hashes.get(did, {})
    return candidates, tuple(undecided), _Facts(bando, tuple(candidates), sheets, _draws(s))


def _draws(s: Session) -> dict[frozenset[str], tuple[str, ...]]:
    return {
        frozenset(json.loads(d.protocols_json)): tuple(json.loads(d.order_json)) for d in s.scalars(select(Sorteggio))
    }


def compute(s: Session) -> Computed:
    """The ranking from the file as it is now (not approved: nothing is written)."""
    bando = lookup.rules(s)
    with collector.paused():  # the ranking is kept: its objects go straight to the oldest generation
        candidates, undecided, facts = _inputs(s, bando)
        comparisons = all_comparisons(s, bando)
        return Computed(build_ranking(bando, candidates, facts.draws, comparisons), undecided, facts, comparisons)


def versions(s: Session) -> list[GraduatoriaVersion]:
    return list(s.scalars(select(GraduatoriaVersion).order_by(GraduatoriaVersion.version)))


def latest(s: Session) -> GraduatoriaVersion | None:
    return s.scalars(select(GraduatoriaVersion).order_by(GraduatoriaVersion.version.desc()).limit(1)).first()


# What a ranking is computed from: on a server, held still while a version is approved.
RANKING_INPUTS = ("scheda", "voto", "conflitto", "ammissibilita", "rinuncia", "sorteggio", "commissario")


def _hold_inputs(s: Session) -> None:
    """On a server, members may be scoring while the chair approves: the tables the ranking is computed
    from are locked in SHARE mode (writers in progress finish first, new ones wait until the approval
    commits), so the version, its fingerprint and the seals' check read one consistent state.
    A file has a single writer and needs nothing."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(sql_text(f"LOCK TABLE {', '.join(RANKING_INPUTS)} IN SHARE MODE"))


def approve(s: Session, state: str, actor: str, reason: str = "", seduta_id: int | None = None) -> GraduatoriaVersion:
    """Approves the current ranking as a new version; *definitiva* only when nothing blocks it.

    A final ranking needs a provisional one before it, every admissibility decided, no unresolved
    tie and every application scored by at least the quorum: otherwise the refusal lists why.
    """
    if state not in STATES:
        raise RuleViolation(f"Stato «{state}» non previsto: stati possibili {', '.join(STATES)}.")
    if seduta_id is not None:
        sedute.require_quorum(s, seduta_id)
    _hold_inputs(s)
    seals.require_intact(s)  # a version approved on edited marks or rules would launder them
    computed = compute(s)
    if state == FINAL:
        reasons = list(computed.reasons)
        if s.scalars(select(GraduatoriaVersion).where(GraduatoriaVersion.state == PROVISIONAL)).first() is None:
            reasons.insert(0, "Prima della graduatoria definitiva va approvata una graduatoria provvisoria")
        if reasons:
            raise RuleViolation("La graduatoria non può diventare definitiva:\n- " + "\n- ".join(reasons))
    number = (s.scalar(select(func.max(GraduatoriaVersion.version))) or 0) + 1
    g = computed.ranking
    fingerprint = g.fingerprint()
    approved_at = utcnow()
    content = version_json(
        g,
        state=state,
        version=number,
        approved_at=approved_at,
        warnings=computed.all_warnings,
        reasons=computed.reasons,
        inputs=computed.inputs,
    )
    row = GraduatoriaVersion(
        version=number,
        state=state,
        approved_at=approved_at,
        approved_by=actor,
        reason=reason.strip(),
        fingerprint=fingerprint,
        content_json=content,
        seduta_id=seduta_id,
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor,
        "graduatoria.approvata",
        "graduatoria",
        number,
        None,
        {
            "versione": number,
            "stato": state,
            "impronta": fingerprint,
            "motivo": row.reason,
            "seduta": seduta_id,
        },
    )
    return row


def stored(version: GraduatoriaVersion) -> StoredVersion:
    """The approved version as recorded (``ranking.stored.read_version``, the one reader)."""
    return read_version(version.content_json)


def reproduce(s: Session, number: int) -> Reproduction:
    """Recomputes a version from the scores kept in the file, with the rules and facts it was approved on.

    Marks are read again from the sheets (whose hashes must be unchanged); exclusions, renunciations,
    draws and rules come from the version's record, because later events (a renunciation, a rules
    change) must not alter what was approved then.
    """
    row = s.scalars(select(GraduatoriaVersion).where(GraduatoriaVersion.version == number)).first()
    if row is None:
        raise NotFoundError(f"Nessuna versione {number} della graduatoria.")
    record = stored(row).inputs
    if record is None:
        raise RuleViolation(f"La versione {number} della graduatoria non conserva i dati da cui è stata calcolata.")
    bando = bando_from_stored(record.rules, f"graduatoria versione {number}")
    current: dict[tuple[str, str], Scheda] = {}
    query = select(Scheda, Commissario.name, Domanda.protocol).join(Commissario).join(Domanda)
    for kept, name, protocol in s.execute(query.options(selectinload(Scheda.voti))):
        current[(name, protocol)] = kept
    changed: list[str] = []
    candidates = []
    for c in record.candidates:
        marks: dict[str, dict[str, Decimal]] = {}
        for name, digest in c.sheets:
            sheet = current.get((name, c.protocol))
            if sheet is None or sheet.state != SUBMITTED or sheet.content_hash != digest:
                changed.append(f"{name} – {c.protocol}")
            if sheet is not None:
                marks[name] = {v.sub_code: v.value for v in sheet.voti if v.value is not None}
        candidates.append(c.candidate(marks))
    current_pairs = all_comparisons(s, bando)
    frozen = record.comparisons
    if frozen is not None:  # recorded with the version (schema 4): recomputed from them, changes reported
        changed += _pairs_changed(frozen, current_pairs)
    pairs = frozen if frozen is not None else current_pairs
    recomputed = build_ranking(bando, candidates, record.draws, pairs).fingerprint()
    return Reproduction(number, row.fingerprint, recomputed, tuple(changed))


def _pairs_changed(frozen: EnginePairwise, current: EnginePairwise) -> list[str]:
    """«confronti di X – A.1» for each member and sub-criterion whose comparisons differ from the version's."""

    def norm(pairs: EnginePairwise) -> dict[tuple[str, str], list[tuple[str, str, str | None, Decimal]]]:
        return {
            (member, sub): sorted((c.a, c.b, c.preferred, c.degree) for c in cs)
            for sub, members in pairs.items()
            for member, cs in members.items()
        }

    was, now = norm(frozen), norm(current)
    return [
        f"confronti di {m} – {sub}"
        for m, sub in sorted(was.keys() | now.keys())
        if was.get((m, sub)) != now.get((m, sub))
    ]


def record_draw(s: Session, order: Sequence[str], actor: str, note: str = "") -> Sorteggio:
    """Records the public draw's order for a group still tied after the whole tie chain."""
    order = [p.strip() for p in order if p.strip()]
    group = frozenset(order)
    if len(group) != len(order) or len(group) < 2:
        raise RuleViolation("Il sorteggio deve elencare almeno due domande, ciascuna una sola volta.")
    ties = [frozenset(t.protocols) for t in compute(s).ranking.unresolved_ties]
    if group not in ties:
        shown = "; ".join(", ".join(sorted(t)) for t in ties) or "nessuna"
        raise RuleViolation(
            f"Le domande {', '.join(order)} non sono un gruppo in parità da sorteggiare (parità aperte: {shown})."
        )
    row = Sorteggio(
        protocols_json=json.dumps(sorted(group)),
        order_json=json.dumps(order),
        recorded_at=utcnow(),
        note=note.strip(),
    )
    s.add(row)
    s.flush()
    audit.record(s, actor, "sorteggio.registrato", "sorteggio", row.id, None, {"ordine": order, "nota": row.note})
    return row


def renounce(s: Session, protocol: str, reason: str, actor: str) -> Rinuncia:
    """Records a ranked applicant's renunciation (or revocation); the money is freed by ``slide``."""
    d = lookup.domanda_by_protocol(s, protocol)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"Indicare il motivo della rinuncia o revoca della domanda {d.protocol}.")
    if s.scalars(select(Rinuncia).where(Rinuncia.domanda_id == d.id)).first() is not None:
        raise RuleViolation(f"La rinuncia della domanda {d.protocol} è già registrata.")
    signed = s.scalars(select(Convenzione).where(Convenzione.domanda_id == d.id, Convenzione.state == ACTIVE)).first()
    if signed is not None:  # else the whole grant slid down the list while the agreement still bound it
        raise RuleViolation(
            f"La domanda {d.protocol} ha una convenzione attiva (firmata il {signed.signed_on:%d/%m/%Y}): la rinuncia "
            "o la revoca si registra sulla convenzione (Progetti finanziati, o «convenzione rinuncia|revoca»), "
            "che libera soltanto quanto non è stato erogato."
        )
    last = latest(s)
    if last is None:
        raise RuleViolation("Nessuna graduatoria approvata: una rinuncia presuppone una domanda in graduatoria.")
    ranked = {r.protocol for r in stored(last).ranked}
    if d.protocol not in ranked:
        raise RuleViolation(
            f"La domanda {d.protocol} non è in graduatoria (versione {last.version}): non c'è nulla a cui rinunciare."
        )
    row = Rinuncia(domanda_id=d.id, recorded_at=utcnow(), reason=reason)
    s.add(row)
    s.flush()
    audit.record(s, actor, "rinuncia.registrata", "domanda", d.protocol, None, {"motivo": reason})
    return row


def slide(s: Session, actor: str, reason: str, seduta_id: int | None = None) -> GraduatoriaVersion:
    """*Scorrimento*: a new provisional version in which renounced money goes down the list."""
    if not reason.strip():
        raise RuleViolation("Indicare il motivo dello scorrimento della graduatoria.")
    return approve(s, PROVISIONAL, actor, reason, seduta_id)
