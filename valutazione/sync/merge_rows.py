"""The writing half of a return's merge: set-based, in the caller's transaction, after every check passed.

A return of 5,000 applications took ~13 s when every sheet, mark, declaration and log row was an ORM
object (64 s for five returns). What the checks and the newest-wins rule need is now read once per
return as plain rows (``Known``); the changes are gathered in merge order (``Changes``) and written at
the end with one multi-row INSERT per table, the log rows chained in memory (``audit.record_many``).
The rows, the log's rows and their order are those the per-item merge wrote (but for the first
declaration's ``sigillo``, which an autoflush used to put before the declarations' rows and now follows
them like the others); the declarations get their ``sigillo`` rows as the session hook (``seals.rows``)
gives them to ORM writes. A sheet already in
the file that the return changes (a draft replaced by a newer one) is rare and keeps the ORM path, with
its revision check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring as _quote
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from valutazione import audit, bulk
from valutazione.bando import Bando
from valutazione.models import Ammissibilita, BandoRow, Base, Commissario, Conflitto, Domanda, Scheda, Voto
from valutazione.seals.rows import SEAL_ACTION, SEAL_ACTOR, read_rows
from valutazione.services import lookup
from valutazione.services.committee import require_declared
from valutazione.services.conflicts import declaration_entry
from valutazione.services.rules import lock_rules
from valutazione.services.sheets import DRAFT, SUBMITTED, ConcurrentEditError
from valutazione.sync.archive import PackageError
from valutazione.sync.returns import ReturnedConflict, ReturnedSheet

_SEALED = '{"sha256":%s}'  # a seal row's content, ``{"sha256": digest}``, spelled as ``canonical_json`` does
# a sent sheet's log row: its content (``returned_sheet.spelled_content``), its hash and the package, the names
# in the sorted order ``canonical_json`` writes them (what ``audit.canonical_object`` of the six gives)
_SENT = '{"bando":%s,"commissario":%s,"hash":%s,"pacchetto":%s,"protocollo":%s,"voti":%s}'
_IN_CHUNK = 500  # ids or protocols per IN (...) list: well under every database's limit on parameters
SENT_ACTION = "scheda.inviata"
# what follows a mark's motivazione in a sent sheet's content, spelled once per return (``returned_sheet``):
# (sub-criterion, mark) -> (that very mark, the text)
Tails = dict[tuple[str, Decimal | None], tuple[Decimal | None, str]]


@dataclass(frozen=True)
class App:
    """An application named by the return: all the merge needs of it."""

    id: int
    protocol: str


@dataclass
class SheetState:
    """The member's sheet on an application as the merge last left it; ``id`` None until inserted."""

    id: int | None
    state: str
    revision: int
    updated_at: datetime
    content_hash: str | None


@dataclass
class ConflictState:
    """The member's declaration on an application as the merge last left it; ``id`` None until inserted."""

    id: int | None
    has_conflict: bool
    reason: str
    declared_at: datetime


def _table(model: type[Base]) -> Table:
    """The model's Core table: the merge's bulk writes go through Core, without an ORM object per row."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[start : start + _IN_CHUNK] for start in range(0, len(values), _IN_CHUNK)]


@dataclass
class Known:
    """What the merge of one return reads, as plain rows in a few queries, kept up to date as it goes."""

    bando: Bando
    bando_row: BandoRow
    domande: dict[str, App]
    sheets: dict[int, SheetState]  # domanda id -> this member's sheet
    conflicts: dict[int, ConflictState]  # domanda id -> this member's declaration
    outcomes: dict[int, str]  # domanda id -> admissibility outcome
    declared: bool = False  # the member's general declaration was checked (it cannot go away meanwhile)
    # (sub-criterion, mark) already validated: the checks are numeric, so an equal Decimal passes them too
    valid_marks: set[tuple[str, Decimal]] = field(default_factory=set)
    # the sub-criteria a sent sheet must mark (``services.sheets.missing_marks``: all but the pairwise ones)
    required: frozenset[str] = frozenset()
    tails: Tails = field(default_factory=dict)

    @classmethod
    def load(cls, s: Session, m: Commissario, protocols: list[str]) -> Known:
        domande: dict[str, App] = {}
        for chunk in _chunks(sorted(set(protocols))):
            query = select(Domanda.id, Domanda.protocol).where(Domanda.protocol.in_(chunk))
            domande.update((protocol, App(did, protocol)) for did, protocol in s.execute(query))
        sheets = select(
            Scheda.domanda_id, Scheda.id, Scheda.state, Scheda.revision, Scheda.updated_at, Scheda.content_hash
        ).where(Scheda.commissario_id == m.id)
        conflicts = select(
            Conflitto.domanda_id, Conflitto.id, Conflitto.has_conflict, Conflitto.reason, Conflitto.declared_at
        ).where(Conflitto.commissario_id == m.id)
        bando = lookup.rules(s)
        return cls(
            bando,
            lookup.bando_row(s),
            domande,
            {row[0]: SheetState(*row[1:]) for row in s.execute(sheets)},
            {row[0]: ConflictState(*row[1:]) for row in s.execute(conflicts)},
            {did: outcome for did, outcome in s.execute(select(Ammissibilita.domanda_id, Ammissibilita.outcome))},
            required=frozenset(sub.code for sub in bando.subcriteria if bando.criterion_of(sub.code).pairwise is None),
        )

    def domanda(self, protocol: str) -> App:
        d = self.domande.get(protocol)
        if d is None:
            raise PackageError(
                f"Il ritorno riguarda la domanda {protocol}, assente nel file del presidente: "
                "ritorno rifiutato, il file del presidente non è stato modificato."
            )
        return d


@dataclass
class Changes:
    """What the merge of one return will write, in merge order; ``write`` writes it all and starts over."""

    member: Commissario
    sequence: int
    log: list[audit.Entry] = field(default_factory=list)  # the declarations' rows
    new_conflicts: dict[int, dict[str, Any]] = field(default_factory=dict)  # domanda id -> row
    changed_conflicts: dict[int, dict[str, Any]] = field(default_factory=dict)  # conflitto id -> new values
    new_sheets: dict[int, ReturnedSheet] = field(default_factory=dict)  # domanda id -> returned sheet
    # scheda id -> (returned sheet, its application, the revision the merge read and decided on)
    changed_sheets: dict[int, tuple[ReturnedSheet, App, int]] = field(default_factory=dict)
    sent: list[tuple[int, audit.Canonical]] = field(default_factory=list)  # domanda id -> logged content

    def conflict(self, s: Session, known: Known, d: App, c: ReturnedConflict) -> None:
        """``conflicts.write_declaration`` for a returned declaration, with the member's own time."""
        m = self.member
        if not known.declared:
            require_declared(s, m.id)
            known.declared = True
        row = known.conflicts.get(d.id)
        previous = None if row is None else (row.has_conflict, row.reason)
        reason, entry = declaration_entry(m.name, d.protocol, c.has_conflict, c.reason, previous)
        values = {"has_conflict": c.has_conflict, "reason": reason, "declared_at": c.declared_at}
        if row is None or row.id is None:
            self.new_conflicts[d.id] = {"commissario_id": m.id, "domanda_id": d.id, **values}
            known.conflicts[d.id] = ConflictState(None, c.has_conflict, reason, c.declared_at)
        else:
            self.changed_conflicts[row.id] = {"row_id": row.id, **values}
            known.conflicts[d.id] = ConflictState(row.id, c.has_conflict, reason, c.declared_at)
        self.log.append(entry)

    def sheet(self, s: Session, known: Known, d: App, sh: ReturnedSheet, content: dict[str, str] | None) -> None:
        """The returned sheet replaces (or becomes) the member's sheet; a submitted one is logged with the
        ``content`` its hash was checked against (its members already spelled), the hash and the package."""
        current = known.sheets.get(d.id)
        if current is None and known.bando_row.rules_locked_at is None:  # else lock_rules does nothing
            self.write(s)  # the rows logged so far come before the lock's, as they happened
            lock_rules(s, self.member.name)
        if current is None or current.id is None:
            self.new_sheets[d.id] = sh
        else:
            self.changed_sheets[current.id] = (sh, d, current.revision)
        known.sheets[d.id] = SheetState(
            None if current is None else current.id, sh.state, sh.revision, sh.updated_at, sh.content_hash
        )
        if content is not None:
            bando, member, protocol, voti = (
                content["bando"],
                content["commissario"],
                content["protocollo"],
                content["voti"],
            )
            spelled_hash, package = audit.spelled(sh.content_hash), audit.spelled(self.sequence)
            text = _SENT % (bando, member, spelled_hash, package, protocol, voti)  # spelled parts: assembled
            self.sent.append((d.id, audit.Canonical(text, assembled=True)))

    def write(self, s: Session) -> None:
        """Declarations with their seals, then sheets and marks, then the sheets' log rows, in merge order.

        The ORM's pending rows are flushed first and nothing is flushed between the bulk writes and their
        log rows: the write guard (``Database._guard_writes``) may verify the file at any flush.
        """
        s.flush()
        self._write_changed_sheets(s)
        entries = self.log + self._write_conflicts(s)
        ids = self._write_new_sheets(s)
        entries += [(self.member.name, SENT_ACTION, "scheda", ids[did], None, content) for did, content in self.sent]
        audit.record_many(s, entries)
        self.log, self.sent = [], []
        self.new_conflicts, self.changed_conflicts, self.new_sheets, self.changed_sheets = {}, {}, {}, {}

    def _write_conflicts(self, s: Session) -> list[audit.Entry]:
        """Writes the declarations; returns their ``sigillo`` log rows (by id, as the session hook orders them)."""
        table = _table(Conflitto)
        if self.new_conflicts:
            connection = s.connection()
            stamp, flag = _binder(connection, table, "declared_at"), _binder(connection, table, "has_conflict")
            names = ("commissario_id", "domanda_id", "has_conflict", "reason", "declared_at")
            rows = [
                (r["commissario_id"], r["domanda_id"], flag(r["has_conflict"]), r["reason"], stamp(r["declared_at"]))
                for r in self.new_conflicts.values()
            ]
            bulk.insert_rows(connection, table, names, rows, bound=True)
        if self.changed_conflicts:
            columns: dict[str, Any] = {name: bindparam(name) for name in ("has_conflict", "reason", "declared_at")}
            query = update(table).where(table.c.id == bindparam("row_id")).values(columns)
            s.execute(query, list(self.changed_conflicts.values()))
        if not (self.new_conflicts or self.changed_conflicts):
            return []
        ids = list(self.changed_conflicts)
        if self.new_conflicts:
            written = select(Conflitto.domanda_id, Conflitto.id).where(Conflitto.commissario_id == self.member.id)
            by_domanda = {did: row_id for did, row_id in s.execute(written)}
            ids += [by_domanda[did] for did in self.new_conflicts]
        return [
            (SEAL_ACTOR, SEAL_ACTION, table.name, row_id, None, audit.Canonical(_SEALED % _quote(digest)))
            for row_id, digest in sorted(read_rows(s.connection(), table, ids))
        ]

    def _write_changed_sheets(self, s: Session) -> None:
        """Sheets already in the file: through the ORM, whose revision check refuses a concurrent edit.

        They are read again here, so the revision the merge decided on (``Known``) must still be theirs.
        """
        if not self.changed_sheets:
            return
        sent: list[Scheda] = []
        for chunk in _chunks(sorted(self.changed_sheets)):
            query = select(Scheda).options(selectinload(Scheda.voti)).where(Scheda.id.in_(chunk))
            found = {sheet.id: sheet for sheet in s.scalars(query)}
            for sheet_id in chunk:
                sh, d, revision = self.changed_sheets[sheet_id]
                current = found.get(sheet_id)
                if current is None or current.revision != revision:
                    raise ConcurrentEditError(self.member.name, d.protocol)
                if sh.state == SUBMITTED and current.state != SUBMITTED:
                    sent.append(current)  # sent after its marks are written (see _write_new_sheets)
                else:
                    current.state = sh.state
                current.revision, current.updated_at = sh.revision, sh.updated_at
                current.submitted_at, current.content_hash = sh.submitted_at, sh.content_hash
                by_code = {v.sub_code: v for v in current.voti}
                for mark in sh.marks:
                    row = by_code.pop(mark.sub_code, None)
                    if row is None:
                        current.voti.append(
                            Voto(sub_code=mark.sub_code, value=mark.value, motivazione=mark.motivazione)
                        )
                    else:
                        row.value, row.motivazione = mark.value, mark.motivazione
                for stale in by_code.values():
                    current.voti.remove(stale)
        s.flush()
        for current in sent:
            current.state = SUBMITTED
        s.flush()

    def _write_new_sheets(self, s: Session) -> dict[int, int]:
        """Inserts the new sheets and their marks; returns every sheet id of the member by application.

        Tuples straight to the driver (``valutazione.bulk``), the times through their column's own
        processor: ~45,000 marks a return, where a Core parameter dictionary per row cost as much as
        storing them. A mark is stored as ``ExactDecimal`` binds it, ``str(Decimal(value))``: for the
        Decimal a returned mark already is, its ``str`` (tests/valutazione/sync/test_merge_shortcuts.py
        compares the two), without a call of the column's processor for each of them. A sent sheet goes
        in as a draft and is marked sent once its marks are in: a committee server refuses marks on a
        sheet already sent (its trigger holds for every role, the owner too).
        """
        m = self.member
        connection = s.connection()
        if self.new_sheets:
            sheets = _table(Scheda)
            columns = (
                "commissario_id",
                "domanda_id",
                "state",
                "revision",
                "updated_at",
                "submitted_at",
                "content_hash",
            )
            stamp = _binder(connection, sheets, "updated_at")
            s_rows = [
                (
                    m.id,
                    did,
                    _first_state(sh.state),
                    sh.revision,
                    stamp(sh.updated_at),
                    stamp(sh.submitted_at),
                    sh.content_hash,
                )
                for did, sh in self.new_sheets.items()
            ]
            bulk.insert_rows(connection, sheets, columns, s_rows, bound=True)
        if not (self.new_sheets or self.sent):
            return {}
        query = select(Scheda.domanda_id, Scheda.id).where(Scheda.commissario_id == m.id)
        ids = {did: sheet_id for did, sheet_id in s.execute(query)}
        marks = _table(Voto)
        v_rows = [
            (sheet_id, code, None if value is None else str(value), why)
            for did, sh in self.new_sheets.items()
            for sheet_id in (ids[did],)
            for code, value, why in sh.marks
        ]
        bulk.insert_rows(connection, marks, ("scheda_id", "sub_code", "value", "motivazione"), v_rows, bound=True)
        sent = [ids[did] for did, sh in self.new_sheets.items() if sh.state == SUBMITTED]
        sheets = _table(Scheda)
        for chunk in _chunks(sent):
            connection.execute(update(sheets).where(sheets.c.id.in_(chunk)).values(state=SUBMITTED))
        return ids


def _first_state(state: str) -> str:
    """The state a new sheet is inserted with: a sent one as a draft until its marks are in."""
    return DRAFT if state == SUBMITTED else state


def _binder(connection: Connection, table: Table, column: str) -> Callable[[Any], Any]:
    """The column's bind processor (``UTCDateTime``, ``ExactDecimal``: None stays None), or the identity."""
    found = bulk.binders(connection, table, (column,))[0]
    return found if found is not None else _same


def _same(value: Any) -> Any:
    return value
