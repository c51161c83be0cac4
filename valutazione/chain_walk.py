"""The chain check row by row: the log read in id order, each row's link and hash checked as on any database.

``audit.verify_chain`` walks the log here (or, on SQLite, with ``valutazione.chain_sqlite``, which sends
here every row it cannot vouch for): a row's ``prev_hash`` must be the previous row's hash, and its hash
the SHA-256 of its fields with the time as the program spells it (``audit._at``); the rows a visitor
wants are handed to it on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import String, Table, select, type_coerce
from sqlalchemy.orm import Session

from valutazione.audit import (
    GENESIS,
    ChainReport,
    ChainVisitor,
    VerificationCancelled,
    _at,
    _parts_hash,
)
from valutazione.models import AuditRow

CHUNK = 2000
_COLUMNS = (
    AuditRow.id,
    AuditRow.at,
    AuditRow.actor,
    AuditRow.action,
    AuditRow.entity,
    AuditRow.entity_id,
    AuditRow.before_json,
    AuditRow.after_json,
    AuditRow.prev_hash,
    AuditRow.hash,
)


def _chunks(session: Session) -> Iterator[Sequence[Any]]:
    """The log's rows in id order, in chunks of plain tuples (``at`` as stored: see ``_at``).

    Streamed with a server-side cursor per statement: ``Connection.execution_options`` would switch the
    whole connection to server-side cursors, which PostgreSQL refuses for the INSERTs that follow in the
    same transaction.
    """
    query = select(_COLUMNS[0], type_coerce(AuditRow.at, String), *_COLUMNS[2:]).order_by(AuditRow.id)
    yield from session.connection().execute(query.execution_options(yield_per=CHUNK)).partitions(CHUNK)


Walked = ChainReport | tuple[int, int, str]  # the first broken row's report, or (rows, last id, last hash)


def walk(
    session: Session,
    wanted: frozenset[str],
    visitor: ChainVisitor | None,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    total: int,
) -> Walked:
    """Every row in id order, each checked by ``check_row``."""
    prev = GENESIS
    count = 0
    last_id = 0
    convert = at_converter(session)
    for chunk in _chunks(session):
        if cancelled is not None and cancelled():
            raise VerificationCancelled()
        for row in chunk:
            count += 1
            broken = check_row(row, prev, count, convert, wanted, visitor)
            if broken is not None:
                return broken
            prev = row[9]
            last_id = row[0]
        if progress is not None:
            progress(count, total)
    return count, last_id, prev


def at_converter(session: Session) -> Callable[[Any], Any] | None:
    table = AuditRow.__table__
    assert isinstance(table, Table)
    return table.c.at.type.result_processor(session.get_bind().dialect, None)  # type: ignore[no-any-return]


def check_row(
    row: Sequence[Any],
    prev: str,
    count: int,
    convert: Callable[[Any], Any] | None,
    wanted: frozenset[str],
    visitor: ChainVisitor | None,
) -> ChainReport | None:
    """One log row (``_COLUMNS``, ``at`` as stored) after the row whose hash is ``prev``: None when it holds."""
    row_id, stored_at, actor, action, entity, entity_id, before, after, prev_hash, digest = row
    if prev_hash != prev:
        return ChainReport(
            False,
            count,
            row_id,
            f"Registro interrotto alla riga {row_id}: una riga precedente è stata rimossa o modificata.",
        )
    at, iso = _at(stored_at, convert)
    if _parts_hash((prev_hash, iso, actor, action, entity, entity_id, before, after)) != digest:
        return ChainReport(False, count, row_id, f"La riga {row_id} del registro è stata modificata.")
    if action in wanted:
        visitor.row(row_id, at, action, entity, entity_id, after)  # type: ignore[union-attr]
    return None


def read_row(session: Session, row_id: int) -> Sequence[Any]:
    """One log row as ``_chunks`` reads it (``check_row``'s input)."""
    query = select(_COLUMNS[0], type_coerce(AuditRow.at, String), *_COLUMNS[2:]).where(AuditRow.id == row_id)
    return session.connection().execute(query).one()
