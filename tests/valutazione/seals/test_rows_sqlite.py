"""The sealed rows' digests on SQLite (each row's JSON written by SQLite) are those of the general reading.

Each test edits rows underneath and gives the SQLite reading seals forged over the text SQLite writes for
them — what a check trusting that text would accept — and compares the digests it yields with those of
``rows.read_rows`` (or the error both give).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sqlalchemy import Table

from tests.valutazione.seals.test_seals import tamper
from valutazione.db import open_database
from valutazione.seals.rows import SEALED_TABLES, Seal, logged_seals, read_rows
from valutazione.seals.rows_sqlite import _spelling, digests

AMMISSIBILITA = SEALED_TABLES["ammissibilita"].__table__
CONFLITTO = SEALED_TABLES["conflitto"].__table__
FIRST = "(SELECT min(id) FROM ammissibilita)"


def _outcome(path: Path, table: Table, forged: bool) -> object:
    """The (id, digest) pairs of ``table``: by the SQLite reading, with seals forged over SQLite's own text
    (``forged``) or those of the log; or by the general reading when ``forged`` is None."""
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            conn = s.connection()
            spelling = _spelling(table)
            assert spelling is not None
            seals = logged_seals(s)
            if forged:
                raw = conn.connection.driver_connection
                assert raw is not None
                seals = {
                    (table.name, row_id): Seal(0, hashlib.sha256(text).hexdigest())
                    for row_id, text in raw.execute(f'SELECT id, {spelling[1]} FROM "{table.name}"')
                }
            try:
                return list(digests(conn, table, seals))
            except Exception as exc:
                return type(exc).__name__
    finally:
        db.close()


def _general(path: Path, table: Table) -> object:
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            try:
                return list(read_rows(s.connection(), table))
            except Exception as exc:
                return type(exc).__name__
    finally:
        db.close()


def _same(path: Path, table: Table) -> object:
    general = _general(path, table)
    assert _outcome(path, table, forged=False) == general
    assert _outcome(path, table, forged=True) == general
    return general


def test_intact_rows_digest_alike(submitted_copy: Path) -> None:
    """Row seals: every sealed table's untouched rows give the general reading's digests, in the same order."""
    for model in SEALED_TABLES.values():
        table = model.__table__
        assert isinstance(table, Table)
        db = open_database(submitted_copy, read_only=True)
        try:
            with db.sessions() as s:
                general = list(read_rows(s.connection(), table))
                assert list(digests(s.connection(), table, logged_seals(s))) == general
        finally:
            db.close()
    assert len(_same(submitted_copy, AMMISSIBILITA)) > 20  # type: ignore[arg-type]


def test_a_boolean_stored_as_two_digests_as_true(submitted_copy: Path) -> None:
    """Row seals: a boolean stored as 2 (read as true), forged over SQLite's spelling, digests as in general."""
    tamper(
        submitted_copy,
        "INSERT INTO conflitto (commissario_id, domanda_id, has_conflict, reason, declared_at) SELECT "
        "min(c.id), min(d.id), 2, 'x', '2018-04-16T07:45:00.000000+00:00' FROM commissario c, domanda d",
    )
    assert isinstance(CONFLITTO, Table)
    assert len(_same(submitted_copy, CONFLITTO)) == 1  # type: ignore[arg-type]


def test_a_real_number_in_an_integer_column_digests_as_before(submitted_copy: Path) -> None:
    """Row seals: 0.1 + 0.2 in an integer column (SQLite writes «0.3»), forged over that, digests as in general."""
    tamper(submitted_copy, f"UPDATE ammissibilita SET domanda_id = 0.1 + 0.2 WHERE id = {FIRST}")
    assert isinstance(AMMISSIBILITA, Table)
    _same(submitted_copy, AMMISSIBILITA)


def test_a_time_in_another_form_digests_as_before(submitted_copy: Path) -> None:
    """Row seals: a time stored with a space for «T» (the program writes «T»), forged over SQLite's text."""
    tamper(
        submitted_copy, f"UPDATE ammissibilita SET decided_at = '2018-04-16 07:40:00.000001+00:00' WHERE id = {FIRST}"
    )
    assert isinstance(AMMISSIBILITA, Table)
    _same(submitted_copy, AMMISSIBILITA)


def test_a_time_that_is_no_time_fails_as_before(submitted_copy: Path) -> None:
    """Row seals: 30 February in the program's own form, its seal forged to match, fails as in general."""
    tamper(
        submitted_copy, f"UPDATE ammissibilita SET decided_at = '2018-02-30T07:40:00.000000+00:00' WHERE id = {FIRST}"
    )
    assert isinstance(AMMISSIBILITA, Table)
    assert _same(submitted_copy, AMMISSIBILITA) == "ValueError"


def test_bytes_that_are_no_text_fail_as_before(submitted_copy: Path) -> None:
    """Row seals: a reason holding invalid UTF-8, its seal forged over those bytes, fails as in general."""
    tamper(submitted_copy, f"UPDATE ammissibilita SET reason = CAST(X'41FF42' AS TEXT) WHERE id = {FIRST}")
    assert isinstance(AMMISSIBILITA, Table)
    assert _same(submitted_copy, AMMISSIBILITA) == "OperationalError"


def test_hostile_text_digests_alike(submitted_copy: Path) -> None:
    """Row seals: quotes, backslashes, NUL and control characters in a reason digest alike in both readings."""
    con = sqlite3.connect(submitted_copy)
    try:
        con.execute(f"UPDATE ammissibilita SET reason = ? WHERE id = {FIRST}", ('a"b\\c\x00\x01\x1f\x7f\n\t\u2028é🙂',))
        con.commit()
    finally:
        con.close()
    assert isinstance(AMMISSIBILITA, Table)
    _same(submitted_copy, AMMISSIBILITA)


def test_an_sqlite_without_json_functions_takes_the_general_reading(submitted_copy: Path) -> None:
    """Row seals: where SQLite's ``json_array`` fails (a build without it), the rows are hashed as elsewhere."""

    def missing(*_args: object) -> str:
        raise ValueError("json_array non disponibile")

    assert isinstance(AMMISSIBILITA, Table)
    general = _general(submitted_copy, AMMISSIBILITA)
    db = open_database(submitted_copy, read_only=True)
    try:
        with db.sessions() as s:
            s.connection().connection.driver_connection.create_function("json_array", -1, missing)  # type: ignore[union-attr]
            assert list(digests(s.connection(), AMMISSIBILITA, logged_seals(s))) == general
    finally:
        db.close()
