"""The chain check's reading of the log on SQLite: each row's hashed text spelled by SQLite itself.

A row's hash covers the JSON list of its fields (``audit.row_hash``). At 5,000 applications the log is
80,000 rows and 65 MB, and quoting every field in Python, joining and re-encoding them was most of the
chain check. SQLite's ``json_array`` writes the same list in C and hands it over as bytes, ready to hash.

It is used only to say «this row holds»: a row is accepted here when the SHA-256 of that text equals
the row's stored hash, the text is valid UTF-8 (as the driver would have decoded it), starts with the
previous row's hash (the link), and every field was stored as text — ``json_array`` quotes a string
exactly as ``json.encoder.encode_basestring`` does (``"`` and ``\\`` escaped, control characters as
``\\b \\t \\n \\f \\r`` or ``\\u00xx`` in lower case, nothing else), and a correct JSON text names its
values, so equal hashes mean the very fields the program hashed. Any other row (a field stored as a
number or a blob, a time not in the program's own spelling, a text that differs for whatever reason)
is read again and checked by ``chain_walk.check_row``, exactly as on any other database: every broken row
is reported with the same words, and nothing SQLite spells differently can make a row pass.

SQLite-only SQL outside ``db.py``, on purpose: this is the one place the opening's check reads 65 MB,
and it runs only when the session's dialect is SQLite.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from valutazione import audit, chain_walk
from valutazione.models import AuditRow

_TEXTS = ("at", "actor", "action", "entity", "entity_id", "before_json", "after_json", "prev_hash")
_ISO = "CASE WHEN substr(at, 20) = '.000000+00:00' THEN substr(at, 1, 19) || '+00:00' ELSE at END"
_CHUNK = 500


def _statement(wanted: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """The log in id order: id, time as stored, hash, what a visitor needs, and the hashed text as bytes.

    The time is spelled as ``audit._at`` spells a stored time of the program's own form; any other form
    is caught in Python (the pattern) and its row re-read."""
    texts = " AND ".join(f"typeof({c}) = 'text'" for c in _TEXTS)
    marks = ", ".join("?" for _ in wanted) or "NULL"
    sql = (
        "SELECT id, at, hash, action, entity, entity_id, "
        f"CASE WHEN {texts} THEN CAST(json_array(prev_hash, {_ISO}, actor, action, entity, entity_id, "
        "before_json, after_json) AS BLOB) END, "
        f"CASE WHEN action IN ({marks}) THEN after_json END "
        f"FROM {AuditRow.__tablename__} ORDER BY id"
    )
    return sql, tuple(sorted(wanted))


def valid_utf8(data: bytes) -> bool:
    """Whether the driver would have decoded these bytes (strict UTF-8: no lone surrogates either)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def walk(
    session: Session,
    wanted: frozenset[str],
    visitor: audit.ChainVisitor | None,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    total: int,
) -> chain_walk.Walked:
    """``chain_walk.walk`` with each row's text from SQLite; a row not vouched for here goes to ``check_row``."""
    sql, args = _statement(wanted)
    convert = chain_walk.at_converter(session)
    stored_at_form = audit._STORED_AT.fullmatch
    sha256 = hashlib.sha256
    prev = audit.GENESIS
    count = 0
    last_id = 0
    link = b'["' + prev.encode() + b'",'  # how the next row's text must begin: the previous hash, quoted
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        try:
            cursor.execute(sql, args)
        except sqlite3.OperationalError:  # an SQLite built without its JSON functions: the general reading
            return chain_walk.walk(session, wanted, visitor, progress, cancelled, total)
        while chunk := cursor.fetchmany(_CHUNK):
            if cancelled is not None and cancelled():
                raise audit.VerificationCancelled()
            row: Sequence[Any]
            for row_id, stored_at, digest, action, entity, entity_id, text, after in chunk:
                count += 1
                if (
                    text is not None
                    and type(stored_at) is str
                    and text.startswith(link)
                    and sha256(text).hexdigest() == digest
                    and stored_at_form(stored_at)
                    and valid_utf8(text)
                ):
                    if action in wanted:
                        at = datetime.fromisoformat(stored_at)
                        visitor.row(row_id, at, action, entity, entity_id, after)  # type: ignore[union-attr]
                    else:
                        datetime.fromisoformat(stored_at)  # a time that is no time (30 February) fails as ever
                else:
                    row = chain_walk.read_row(session, row_id)
                    broken = chain_walk.check_row(row, prev, count, convert, wanted, visitor)
                    if broken is not None:
                        return broken
                prev = digest
                last_id = row_id
                link = b'["' + prev.encode() + b'",'
            if progress is not None:
                progress(count, total)
    finally:
        cursor.close()
    return count, last_id, prev
