"""The chain check's SQLite reading (each row's text spelled by SQLite) gives the general check's verdicts.

Every test edits the log underneath, re-hashes it from that row on with some spelling of the row's text,
and compares what the SQLite reading says with what the general reading (``chain_walk.walk``, as on any
other database) says: the same report, or the same error.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from valutazione import audit, chain_sqlite, chain_walk
from valutazione.db import open_database
from valutazione.seals.logscan import LogScan

Spell = Callable[[list[Any]], bytes]  # a row's hashed fields (time as stored) -> the bytes hashed


def _python(fields: list[Any]) -> bytes:
    return audit._parts_text(tuple(fields)).encode("utf-8", "surrogateescape")


def _convert() -> Any:
    from sqlalchemy import Table
    from sqlalchemy.dialects import sqlite

    from valutazione.models import AuditRow

    table = AuditRow.__table__
    assert isinstance(table, Table)
    return table.c.at.type.result_processor(sqlite.dialect(), None)


# The log rebuilt without column types, so that a field can hold a real number (a typed column turns it into text).
UNTYPED = (
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "ALTER TABLE audit RENAME TO audit_typed",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, at, actor, action, entity, entity_id, before_json, after_json, "
    "prev_hash, hash UNIQUE)",
    "INSERT INTO audit SELECT * FROM audit_typed",
    "DROP TABLE audit_typed",
)


def _rechain(
    path: Path,
    edit: str,
    args: tuple[Any, ...] = (),
    spell: Spell = _python,
    before: tuple[str, ...] = (),
    as_text: bool = False,
) -> None:
    """Applies ``before`` and ``edit`` to the log, then re-hashes every row with ``spell``, the time as the
    program spells it (``as_text``: as stored, as a check that did not parse it would accept)."""
    con = sqlite3.connect(path)
    con.text_factory = bytes
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_no_update")
        for sql in before:
            con.execute(sql)
        con.execute(edit, args)
        rows = con.execute(
            "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit ORDER BY id"
        ).fetchall()
        prev = audit.GENESIS
        for row_id, stored, *fields in rows:
            at = stored.decode() if isinstance(stored, bytes) else stored
            at = at if as_text else audit._at(at, _convert())[1]
            texts = [f.decode("utf-8", "surrogateescape") if isinstance(f, bytes) else f for f in fields]
            digest = hashlib.sha256(spell([prev, at, *texts])).hexdigest()
            con.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id))
            prev = digest
        con.execute("UPDATE bando SET audit_head = ?", (prev,))
        con.commit()
    finally:
        con.close()


def _outcome(path: Path, walk: Any) -> object:
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            scan = LogScan()
            try:
                found = walk(s, scan.actions, scan, None, None, 0)
            except Exception as exc:
                return type(exc).__name__
            return found, scan.events, scan.seals
    finally:
        db.close()


def _same(path: Path) -> object:
    general = _outcome(path, chain_walk.walk)
    assert _outcome(path, chain_sqlite.walk) == general
    return general


SENT_ROW = "(SELECT min(id) FROM audit WHERE action = 'scheda.inviata')"


def test_an_intact_log_reads_alike(submitted_copy: Path) -> None:
    """Audit chain: an untouched log gives the same rows, last hash and collected rows by both readings."""
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], tuple) and found[0][0] > 50 and found[1] and found[2]


def test_a_field_stored_as_a_number_is_checked_as_before(submitted_copy: Path) -> None:
    """Audit chain: an actor stored as a number, re-hashed as the program would, is judged as before."""
    _rechain(submitted_copy, "UPDATE audit SET actor = 42 WHERE id = 2", before=UNTYPED)
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], tuple)


def test_a_hash_over_another_spelling_of_the_same_values_is_refused(submitted_copy: Path) -> None:
    """Audit chain: a log re-hashed over another valid JSON spelling («\\u0041» for «A») is refused by both."""

    def other(fields: list[Any]) -> bytes:
        return _python(fields).replace(b"A", b"\\u0041")

    _rechain(submitted_copy, "UPDATE audit SET actor = actor WHERE id = 1", spell=other)
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], audit.ChainReport) and not found[0].ok


def test_a_hash_over_sqlite_spelling_of_a_number_is_refused(submitted_copy: Path) -> None:
    """Audit chain: a real number re-hashed over SQLite's own spelling (not the program's) is refused alike."""

    def sqlite_spelling(fields: list[Any]) -> bytes:
        con = sqlite3.connect(":memory:")
        try:
            text: str = con.execute("SELECT json_array(" + ",".join("?" * len(fields)) + ")", fields).fetchone()[0]
        finally:
            con.close()
        return text.encode("utf-8")

    _rechain(
        submitted_copy, "UPDATE audit SET entity_id = 0.1 + 0.2 WHERE id = 2", spell=sqlite_spelling, before=UNTYPED
    )
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], audit.ChainReport) and not found[0].ok


def test_a_time_in_another_form_is_checked_as_before(submitted_copy: Path) -> None:
    """Audit chain: a time stored without microseconds, re-hashed as the program spells it, is judged as before."""
    _rechain(submitted_copy, "UPDATE audit SET at = '2018-04-16T09:40:00+02:00' WHERE id = 2")
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], tuple)


def test_control_characters_and_quotes_are_spelled_alike(submitted_copy: Path) -> None:
    """Audit chain: quotes, backslashes, NUL and control characters in a field hash alike in both readings."""
    hostile = 'a"b\\c\x00\x01\x1f\x7f\b\f\n\r\t\u2028é🙂'
    _rechain(submitted_copy, f"UPDATE audit SET before_json = ? WHERE id = {SENT_ROW}", (hostile,))
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], tuple)


def test_bytes_that_are_no_text_fail_as_before(submitted_copy: Path) -> None:
    """Audit chain: a field holding invalid UTF-8, re-hashed over those bytes, fails as the general reading does."""
    _rechain(submitted_copy, f"UPDATE audit SET actor = CAST(X'7B22FF227D' AS TEXT) WHERE id = {SENT_ROW}")
    assert _same(submitted_copy) == "OperationalError"


def test_a_blob_field_is_checked_as_before(submitted_copy: Path) -> None:
    """Audit chain: a field stored as a blob (which SQLite's JSON refuses) is judged as by the general reading."""
    _rechain(submitted_copy, "UPDATE audit SET actor = CAST(actor AS BLOB) WHERE id = 2")
    _same(submitted_copy)


def test_a_time_hashed_as_stored_text_is_refused(submitted_copy: Path) -> None:
    """Audit chain: a time in another form, re-hashed over its stored text (not the program's spelling), is
    refused by both readings."""
    _rechain(submitted_copy, "UPDATE audit SET at = '2018-04-16 07:40:00.000001+00:00' WHERE id = 2", as_text=True)
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], audit.ChainReport) and not found[0].ok


def test_a_removed_row_breaks_the_link_alike(submitted_copy: Path) -> None:
    """Audit chain: a row removed from the middle (the rows after it untouched) is reported alike."""
    con = sqlite3.connect(submitted_copy)
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        con.execute("DELETE FROM audit WHERE id = 5")
        con.commit()
    finally:
        con.close()
    found = _same(submitted_copy)
    assert isinstance(found, tuple) and isinstance(found[0], audit.ChainReport)
    assert found[0].message.startswith("Registro interrotto alla riga 6")


def test_an_sqlite_without_json_functions_takes_the_general_reading(submitted_copy: Path) -> None:
    """Audit chain: where SQLite's ``json_array`` fails (a build without it), the log is checked as elsewhere."""

    def missing(*_args: object) -> str:
        raise ValueError("json_array non disponibile")

    db = open_database(submitted_copy, read_only=True)
    try:
        with db.sessions() as s:
            s.connection().connection.driver_connection.create_function("json_array", -1, missing)  # type: ignore[union-attr]
            scan = LogScan()
            found = chain_sqlite.walk(s, scan.actions, scan, None, None, 0)
            general = chain_walk.walk(s, scan.actions, LogScan(), None, None, 0)
            assert found == general and isinstance(found, tuple) and found[0] > 50 and scan.seals
    finally:
        db.close()
