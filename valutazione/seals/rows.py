"""Row seals: every write of a decisive row leaves, in the same transaction, a log row with its hash.

The log's chain proves the order of the logged events, not that the rows they decided are still what
was decided. So each insert, update or delete of a decisive row (a conflict, an admissibility outcome,
a *soccorso*, a draw, a renunciation, a session and its presences, a payment, a member and their key, a
declaration, a member's pairwise comparison, an approved ranking version, a funded project's agreement,
support and indicators) is followed by an audit row ``sigillo`` naming the table and the row and carrying
the SHA-256 of the row as stored. Verification re-reads every row and compares: a row edited underneath its
log, inserted without one, or deleted without a trace is a broken seal.

The seal is written by a session hook rather than by each service, so no write path (GUI, CLI, merge of
a return, building a member's package) can forget it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Connection, Select, Table, event, select
from sqlalchemy.orm import Session, UOWTransaction

from valutazione import audit
from valutazione.models import (
    Ammissibilita,
    Base,
    Commissario,
    Conflitto,
    Dichiarazione,
    Erogazione,
    GraduatoriaVersion,
    Presenza,
    Rinuncia,
    Seduta,
    Soccorso,
    Sorteggio,
)
from valutazione.pairwise_tables import Confronto
from valutazione.projects.tables import (
    Convenzione,
    FaseAffiancamento,
    IndicatoreObiettivo,
    IndicatoreValore,
    Referente,
    SessioneAffiancamento,
)

SEAL_ACTION = "sigillo"
SEAL_ACTOR = "sistema"
DELETED = "eliminata"
SEALED: tuple[type[Base], ...] = (
    Commissario,
    Dichiarazione,
    Conflitto,
    Ammissibilita,
    Soccorso,
    Sorteggio,
    Rinuncia,
    Seduta,
    Presenza,
    Erogazione,
    GraduatoriaVersion,
    Convenzione,
    FaseAffiancamento,
    SessioneAffiancamento,
    IndicatoreObiettivo,
    IndicatoreValore,
    Referente,
    Confronto,
)
SEALED_TABLES = {model.__tablename__: model for model in SEALED}
_PENDING = "valutazione.seals.pending"  # session.info key: {(table, id): deleted?} written by the last flush
_IN_CHUNK = 500


def row_digest(table: Table, row: Any) -> str:
    """SHA-256 of the row's columns in schema order, as read back (so the same at writing and verifying)."""
    values = [row._mapping[c.name] for c in table.columns]
    return hashlib.sha256(audit.canonical_json(values).encode("utf-8")).hexdigest()


_LONG = 1 << 20  # characters: a text longer than this (an approved version's JSON) is hashed in slices


def _digest(values: list[Any], slice_chars: int = _LONG) -> str:
    """``row_digest`` of a row read as a list: the SHA-256 of its values' canonical JSON.

    An approved version of 20,000 applications holds a 54 MB text; spelling the row in one piece made four
    copies of it at once (the text, its escaped form, the joined row, its UTF-8 bytes: 420 MB). A long
    text is fed to the hash in slices instead, each escaped on its own: JSON escapes character by
    character, so the bytes hashed are the same, and so is the digest (a test compares both).
    """
    for value in values:  # a loop, not any() over a generator: ~25,000 declarations read back per merge
        if type(value) is str and len(value) > slice_chars:
            break
    else:
        return hashlib.sha256(audit.canonical_json(values).encode("utf-8")).hexdigest()
    digest = hashlib.sha256(b"[")
    for i, value in enumerate(values):
        if i:
            digest.update(b",")
        if type(value) is str and len(value) > slice_chars:
            digest.update(b'"')
            for at in range(0, len(value), slice_chars):
                digest.update(encode_basestring(value[at : at + slice_chars])[1:-1].encode("utf-8"))
            digest.update(b'"')
        else:
            digest.update(audit.canonical_json(value).encode("utf-8"))
    digest.update(b"]")
    return digest.hexdigest()


def read_rows(conn: Connection, table: Table, ids: Iterable[int] | None = None) -> Iterator[tuple[int, str]]:
    """(id, digest) of the stored rows of ``table`` (all, or those with the given ids), as plain tuples.

    ``select(table)`` returns the columns in schema order, so each row's values are hashed as they come
    (the same list ``row_digest`` builds by name, without a lookup per column).
    """
    position = [c.name for c in table.columns].index("id")
    if ids is None:  # streamed: a table of 100,000 declarations, or of approved versions, is not held whole
        for row in conn.execute(select(table).order_by(table.c.id).execution_options(yield_per=_IN_CHUNK)):
            yield row[position], _digest(list(row))
        return
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        for row in conn.execute(select(table).where(table.c.id.in_(chunk))).all():
            yield row[position], _digest(list(row))


def streamed_rows(
    conn: Connection, query: Select[*tuple[Any, ...]], size: int = 5_000
) -> Iterator[Sequence[Sequence[Any]]]:
    """The rows of ``query`` as plain tuples, in chunks of ``size``: the driver's own when SQLAlchemy would
    convert no column, and one chunk held at a time.

    On SQLite, integers and strings come back from the driver as SQLAlchemy would give them, so for a
    query of only such columns (no result conversion at all) the driver's cursor runs the statement
    SQLAlchemy compiles: over the 213,000 marks of a 5,000-application file its row objects cost a
    tenth of a second. A column with a conversion, or another database, goes through SQLAlchemy. In
    chunks, because the marks of a 20,000-application file with their justifications are hundreds of
    MB at once.
    """
    dialect = conn.dialect
    converted = any(c.type.result_processor(dialect, None) is not None for c in query.selected_columns)
    if dialect.name != "sqlite" or converted:
        yield from conn.execute(query.execution_options(yield_per=size)).partitions(size)
        return
    compiled = query.compile(dialect=dialect)
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, args)
        while chunk := cursor.fetchmany(size):
            yield chunk
    finally:
        cursor.close()


def _id(obj: Base) -> int:
    row_id: int = getattr(obj, "id")  # noqa: B009 - every sealed table has an integer id (Base does not)
    return row_id


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: UOWTransaction) -> None:
    """Notes which decisive rows this flush wrote (the lists still show the pre-flush state here)."""
    pending: dict[tuple[str, int], bool] = session.info.setdefault(_PENDING, {})
    for obj in session.new:
        if isinstance(obj, SEALED):
            pending[(obj.__tablename__, _id(obj))] = False
    for obj in session.dirty:
        if isinstance(obj, SEALED) and session.is_modified(obj, include_collections=False):
            pending[(obj.__tablename__, _id(obj))] = False
    for obj in session.deleted:
        if isinstance(obj, SEALED):
            pending[(obj.__tablename__, _id(obj))] = True


@event.listens_for(Session, "after_flush_postexec")
def _seal(session: Session, _context: UOWTransaction) -> None:
    """Appends one ``sigillo`` row per written row, hashing it as now stored; flushed with the next flush."""
    pending: dict[tuple[str, int], bool] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    by_table: dict[str, list[int]] = {}
    for (name, row_id), deleted in sorted(pending.items()):
        if deleted:
            audit.record(session, SEAL_ACTOR, SEAL_ACTION, name, row_id, None, {DELETED: True}, flush=False)
        else:
            by_table.setdefault(name, []).append(row_id)
    for name, ids in by_table.items():
        table = SEALED_TABLES[name].__table__
        assert isinstance(table, Table)
        for row_id, digest in sorted(read_rows(session.connection(), table, ids)):
            audit.record(session, SEAL_ACTOR, SEAL_ACTION, name, row_id, None, {"sha256": digest}, flush=False)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None or transaction.nested:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Seal:
    audit_id: int
    digest: str | None  # None: the row was deleted


def seal_row(out: dict[tuple[str, int], Seal], audit_id: int, entity: str, entity_id: str, after: str) -> None:
    """One ``sigillo`` log row: the latest seal of its row (its digest, or None when it logs a deletion)."""
    digest = None if DELETED in after else after[len('{"sha256":"') : -2]
    out[(entity, int(entity_id))] = Seal(audit_id, digest)


def logged_seals(session: Session) -> dict[tuple[str, int], Seal]:
    """The latest seal of every decisive row, from the log (plain tuples, one pass)."""
    from valutazione.models import AuditRow

    out: dict[tuple[str, int], Seal] = {}
    query = (
        select(AuditRow.id, AuditRow.entity, AuditRow.entity_id, AuditRow.after_json)
        .where(AuditRow.action == SEAL_ACTION)
        .order_by(AuditRow.id)
    )
    for audit_id, entity, entity_id, after in session.connection().execute(query):
        seal_row(out, audit_id, entity, entity_id, after)
    return out
