"""The audit log: who decided what, when, before and after — chained by SHA-256.

Each row's hash covers its content and the previous row's hash, and the call row keeps the hash of the
last one, so an edited, removed or truncated row is detected by ``verify_chain``. This is evidence in a
possible appeal, so it is written in the same transaction as the decision it records.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from time import time_ns
from typing import Any, Protocol

from sqlalchemy import Table, event, func, select, text, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from valutazione import bulk
from valutazione.models import AuditRow, BandoRow, utcnow

GENESIS = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"valore non serializzabile nel registro: {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


def canonical_json(value: Any) -> str:
    """One spelling per value: what every hash of the log and the seals is taken over.

    The encoder is built once (``json.dumps`` with options builds one per call, a measurable part of a
    verification that hashes every log row and every sealed row); it keeps no state between calls.
    """
    return _ENCODER.encode(value)


@dataclass(frozen=True, slots=True)
class Canonical:
    """A value given already as ``canonical_json`` spells it: the merge spells a sheet's marks once for its
    content hash and reuses them in the sheet's log row, instead of encoding the same marks twice.

    ``assembled``: the caller joined ``text`` only from ``encode_basestring``'s strings, numbers and JSON
    punctuation, so no character below U+0020 is in it (the encoder escapes each one), and its quoting in
    the row's hash is ``_quoted_assembled``'s.
    """

    text: str
    assembled: bool = False


def canonical_object(members: Mapping[str, str]) -> str:
    """``canonical_json`` of an object whose member values are given already spelled (name -> JSON text).

    The same text the encoder writes: members sorted by name, ``"name":value`` joined by commas, in braces.
    """
    return "{" + ",".join(encode_basestring(name) + ":" + members[name] for name in sorted(members)) + "}"


def spelled(value: Any) -> str:
    """``canonical_json(value)``, but a ``Canonical`` is taken as it is, and None, a string and an integer
    are spelled at once as the encoder spells them (``encode_basestring``, ``int.__repr__``), without a
    call of the general encoder for each of a merge's thousands of hashes and package numbers."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is Canonical:
        return value.text  # type: ignore[no-any-return]
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    return canonical_json(value)


def row_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before_json: str,
    after_json: str,
) -> str:
    """SHA-256 of the canonical JSON list of the row's fields and the previous hash.

    Every field is a string, and the canonical JSON of a list of strings is each one JSON-quoted, joined
    by commas, in brackets: spelled out here because the opening verification hashes every row of the
    log. A field that is not a string (a NULL written underneath) takes the general encoder, as before.
    """
    return _parts_hash((prev_hash, at.isoformat(), actor, action, entity, entity_id, before_json, after_json))


def _parts_hash(parts: tuple[Any, ...]) -> str:
    return hashlib.sha256(_parts_text(parts).encode("utf-8")).hexdigest()


def _parts_text(parts: tuple[Any, ...]) -> str:
    try:
        return "[" + ",".join(map(encode_basestring, parts)) + "]"
    except TypeError:
        return canonical_json(list(parts))


def _quoted_assembled(text: str) -> str:
    """``encode_basestring(text)`` for a text without characters below U+0020, which it would escape: what
    remains for it to escape is «"» and «\\». Two replacements take half the encoder's time on a sent
    sheet's log content (2 KB, ~25,000 of them for five returns), hashed once more inside the row's text.
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# How every row's time is stored (``UTCDateTime``: UTC, microseconds always written). For such a text
# ``datetime.fromisoformat(text).isoformat()`` is the text itself, without «.000000» when the
# microseconds are zero; the chain check spells it so, and still parses it, so a text that is no time
# (30 February) fails as it always did. Any other text takes the column type's own conversion.
_STORED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00")
_NO_MICROSECONDS = ".000000+00:00"


def _at(text: Any, convert: Callable[[Any], Any] | None) -> tuple[datetime, str]:
    """A stored time as the ORM reads it, and its ``isoformat()``: what a row's hash covers."""
    if type(text) is str and _STORED_AT.fullmatch(text):
        at = datetime.fromisoformat(text)
        return at, text[:19] + "+00:00" if text.endswith(_NO_MICROSECONDS) else text
    at = convert(text) if convert is not None else text
    return at, at.isoformat()


_HEAD = "valutazione.audit.head"  # session.info key: (bando row's id or None, hash of the last row written)


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    """The cached head is only good inside the transaction that wrote it.

    A rollback (of the whole transaction or of a savepoint) discards the rows it remembered, and after
    a commit another connection may append rows; either way the next ``record`` looks the head up again.
    The inner transactions each flush opens and closes are not ends: a failed flush leaves the outer
    transaction to be rolled back, which forgets the head then.
    """
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HEAD, None)


def _head(session: Session) -> tuple[int | None, str]:
    cached: tuple[int | None, str] | None = session.info.get(_HEAD)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        return _locked_head(session)
    bando_id = session.scalars(select(BandoRow.id).limit(1)).first()
    last = session.scalars(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
    return bando_id, last if last is not None else GENESIS


def _locked_head(session: Session) -> tuple[int | None, str]:
    """On a server many members append at once: the call's row, which holds the head, is locked until
    the transaction ends, so the next writer reads the head only after this one's rows are committed.

    The head is read from that row (a member may not see the last rows of the log, see
    docs/politiche-server.md); an older database without it falls back to the last row.
    """
    found = session.execute(select(BandoRow.id, BandoRow.audit_head).limit(1).with_for_update()).first()
    if found is not None and found.audit_head:
        return found.id, found.audit_head
    last = session.scalars(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
    return (None if found is None else found.id), last if last is not None else GENESIS


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    *,
    flush: bool = True,
) -> AuditRow:
    """Appends one audit row in the caller's transaction.

    The chain's head (the last row's hash) is looked up once per transaction and then kept in
    ``session.info``: a merge writes thousands of rows, and selecting the last one before each was
    a large part of its time. Rows are inserted in the order they were added, so the chain is the same.
    ``flush=False`` leaves the row pending (written by the caller's next flush or query, or the commit)
    for callers that write many rows in one go.
    """
    bando_id, prev = _head(session)
    at = utcnow()
    before_json, after_json = canonical_json(before), canonical_json(after)
    entity_key = "" if entity_id is None else str(entity_id)
    row = AuditRow(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_key,
        before_json=before_json,
        after_json=after_json,
        prev_hash=prev,
        hash=row_hash(prev, at, actor, action, entity, entity_key, before_json, after_json),
    )
    session.add(row)
    if bando_id is not None:
        bando = session.get(BandoRow, bando_id)  # from the identity map after the first time
        if bando is not None:
            bando.audit_head = row.hash
    session.info[_HEAD] = (bando_id, row.hash)
    if flush:
        session.flush()
    return row


Entry = tuple[str, str, str, Any, Any, Any]  # actor, action, entity, entity_id, before, after: ``record``'s


def chained_row(
    prev: str, at: datetime, actor: str, action: str, entity: str, entity_id: Any, before: Any, after: Any
) -> dict[str, Any]:
    """The columns of the log row that follows ``prev``, hash included (for bulk inserts of many rows)."""
    before_json, after_json = spelled(before), spelled(after)
    key = "" if entity_id is None else str(entity_id)
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": key,
        "before_json": before_json,
        "after_json": after_json,
        "prev_hash": prev,
        "hash": row_hash(prev, at, actor, action, entity, key, before_json, after_json),
    }


def stored_time(at: datetime, stamp: Callable[[datetime], Any]) -> tuple[Any, str]:
    """``at`` as its column stores it (``stamp``, the ``UTCDateTime`` processor) and as a row's hash spells it.

    The column stores the UTC ``isoformat`` with its microseconds; for a UTC time with microseconds that
    is its ``isoformat()``, the hash's text, so it is spelled once. Any other time (on the whole second,
    which ``isoformat`` writes without «.000000», or in another zone) goes through the processor: so
    ``_clock`` spells each second of a batch of rows.
    """
    iso = at.isoformat()
    return (iso if at.microsecond and at.tzinfo is UTC else stamp(at)), iso


def _clock(stamp: Callable[[datetime], Any]) -> Iterator[tuple[str, str]]:
    """Now, for each row of a batch: as the ``at`` column stores it and as the row's hash spells it.

    ``datetime.now(UTC)`` and its ``isoformat()`` took a microsecond a row, 70,000 rows a merge. Here the
    clock ``datetime.now`` reads (``time_ns``, floored to the microsecond as it floors it) is read, each
    new second is spelled by ``stored_time`` (on the whole second: by the column's own processor), and a
    row's microseconds are written where the column writes them; with none, the second's texts serve.
    """
    second: int | None = None
    stored = iso = head = tail = ""
    while True:
        now, micro = divmod(time_ns() // 1_000, 1_000_000)
        if now != second:
            second = now
            stored, iso = stored_time(datetime.fromtimestamp(now, UTC), stamp)
            head, tail = stored[: len("YYYY-MM-DDTHH:MM:SS.")], stored[len("YYYY-MM-DDTHH:MM:SS.ffffff") :]
        if micro:
            text = f"{head}{micro:06d}{tail}"
            yield text, text
        else:
            yield stored, iso


_LOGGED = (
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
)  # what record_many writes, in order


def record_many(session: Session, entries: Sequence[Entry]) -> None:
    """Appends ``entries`` in order, as many ``record`` calls would, with one ``executemany``.

    A merge logs ~70,000 rows for five returns; an ORM object per row, then a Core parameter dictionary
    per row, were most of its cost. The rows pending in the session are flushed first (the chain follows
    the ids), then each hash is chained to the previous one in memory and the rows go to the driver as
    tuples (``valutazione.bulk``), and the head moves to the last. A value given as ``Canonical`` is stored
    as it is spelled (an assembled one quoted in the hash as ``_quoted_assembled`` quotes it), and each time
    is spelled once for the column and the hash (``_clock``).
    """
    if not entries:
        return
    session.flush()
    bando_id, prev = _head(session)
    table, calls = AuditRow.__table__, BandoRow.__table__
    assert isinstance(table, Table) and isinstance(calls, Table)
    connection = session.connection()
    stamp = bulk.binders(connection, table, ("at",))[0]
    assert stamp is not None  # ``UTCDateTime`` converts
    rows: list[tuple[Any, ...]] = []
    # locals: the loop runs ~70,000 times a merge
    append, clock, spell, sha256 = rows.append, _clock(stamp), spelled, hashlib.sha256
    for actor, action, entity, entity_id, before, after in entries:
        stored, iso = next(clock)
        before_json, after_json = spell(before), spell(after)
        key = "" if entity_id is None else str(entity_id)
        if type(after) is Canonical and after.assembled:  # the row's text, its last part quoted here
            text = _parts_text((prev, iso, actor, action, entity, key, before_json))[:-1]
            text += "," + _quoted_assembled(after_json) + "]"
        else:
            text = _parts_text((prev, iso, actor, action, entity, key, before_json, after_json))
        digest = sha256(text.encode("utf-8")).hexdigest()
        append((stored, actor, action, entity, key, before_json, after_json, prev, digest))
        prev = digest
    bulk.insert_rows(connection, table, _LOGGED, rows, bound=True)
    if bando_id is not None:  # the head moves in the same step: a check between two flushes finds them agreeing
        session.execute(update(calls).where(calls.c.id == bando_id).values(audit_head=prev))
        loaded = session.identity_map.get(identity_key(BandoRow, bando_id))
        if loaded is not None:
            set_committed_value(loaded, "audit_head", prev)
    session.info[_HEAD] = (bando_id, prev)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None
    message: str


class VerificationCancelled(Exception):
    """The caller's ``cancelled()`` said stop (e.g. the window was closed during the check)."""


class ChainVisitor(Protocol):
    """Someone who wants some of the rows the chain check reads anyway (the seals: one pass over the log).

    ``row`` gets each row whose action is in ``actions``, in chain order, as the check reads it (``at`` as
    an aware datetime); ``finished`` is called only when every row of the log was read and chained here,
    so a visitor that was not told ``finished`` has an incomplete picture and reads the log itself.
    """

    actions: frozenset[str]

    def row(self, row_id: int, at: datetime, action: str, entity: str, entity_id: str, after: str) -> None: ...

    def finished(self) -> None: ...


def verify_chain(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    visitor: ChainVisitor | None = None,
) -> ChainReport:
    """Recomputes every hash; reports the first row that was edited, removed or re-ordered.

    It runs at every opening, so the rows are read as plain tuples in chunks (no ORM objects: a file
    with 25,000 submitted sheets has as many audit rows), and the caller may follow ``progress``, stop it
    with ``cancelled``, and have the rows it needs handed to ``visitor`` on the way: row by row
    (``valutazione.chain_walk``), or on SQLite with each row's hashed text spelled by the database itself
    (``valutazione.chain_sqlite``), a row it cannot vouch for checked as everywhere else.
    """
    if _verified_on_server(session):
        return _server_report(session, progress)
    total = session.scalar(select(func.count(AuditRow.id))) or 0
    wanted = visitor.actions if visitor is not None else frozenset()
    if session.get_bind().dialect.name == "sqlite":
        from valutazione.chain_sqlite import walk
    else:
        from valutazione.chain_walk import walk
    found = walk(session, wanted, visitor, progress, cancelled, total)
    if isinstance(found, ChainReport):
        return found
    count, last_id, prev = found
    head = session.scalars(select(BandoRow.audit_head).limit(1)).first()
    if head and head != prev:
        return ChainReport(False, count, last_id + 1, f"Registro troncato: mancano righe dopo la {last_id}.")
    if visitor is not None:
        visitor.finished()
    return ChainReport(
        True, count, None, f"Registro integro: {count} {'riga verificata' if count == 1 else 'righe verificate'}."
    )


def _verified_on_server(session: Session) -> bool:
    """A member connected to a committee server cannot read the whole log (valutazione/server/policies.py):
    the server recomputes the chain for them, with the same checks."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not session.scalar(text("SELECT to_regprocedure('valutazione_io()') IS NOT NULL")):
        return False  # ``server init`` not run: no member roles, whoever is connected reads everything
    return session.scalar(text("SELECT valutazione_io()")) is not None


def _server_report(session: Session, progress: Callable[[int, int], None] | None) -> ChainReport:
    ok, rows, bad, kind = session.execute(text("SELECT * FROM valutazione_verifica_registro()")).one()
    if progress is not None:
        progress(rows, rows)
    if ok:
        noun = "riga verificata" if rows == 1 else "righe verificate"
        return ChainReport(True, rows, None, f"Registro integro: {rows} {noun}.")
    message = {
        "interrotto": f"Registro interrotto alla riga {bad}: una riga precedente è stata rimossa o modificata.",
        "modificata": f"La riga {bad} del registro è stata modificata.",
    }.get(kind, f"Registro troncato: mancano righe dopo la {bad - 1}.")
    return ChainReport(False, rows, bad, message)
