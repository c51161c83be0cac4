"""The chain check spells a stored time's ``isoformat()`` from its text: exactly what parsing it gives."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Table

from tests.builders import new_file
from valutazione import audit
from valutazione.bando import Bando
from valutazione.db import open_database
from valutazione.models import AuditRow

TEXTS = [
    "2018-04-16T07:40:00.000000+00:00",
    "2018-04-16T07:40:00.000123+00:00",
    "2018-04-16T07:40:00.100000+00:00",
    "2024-02-29T23:59:59.999999+00:00",
    "2018-04-16T07:40:00+00:00",
    "2018-04-16T09:40:00.500000+02:00",
    "2018-04-16 07:40:00.000000+00:00",
    "2018-04-16T07:40:00.000000",
    "2018-04-16T07:40:00.000000Z",
    "2018-02-30T07:40:00.000000+00:00",
    "2018-13-01T07:40:00.000000+00:00",
    "2018-04-16T24:00:00.000000+00:00",
    "٢٠١٨-04-16T07:40:00.000000+00:00",
    "2018-04-16T07:40:00.000000+00:00\n",
    "",
    None,
    20180416,
]


def _convert() -> object:
    table = AuditRow.__table__
    assert isinstance(table, Table)
    return table.c.at.type.result_processor(sqlite3_dialect(), None)


def sqlite3_dialect() -> object:
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


@pytest.mark.parametrize("text", TEXTS)
def test_spelled_time_is_the_parsed_times_isoformat(text: object) -> None:
    """Audit chain: for any stored text, the time and its isoformat are those of the ORM's conversion, or the
    same error."""
    convert = _convert()
    try:
        parsed = convert(text)  # type: ignore[operator]
        expected: object = (parsed, parsed.isoformat())
    except Exception as exc:
        expected = type(exc)
    try:
        got: object = audit._at(text, convert)  # type: ignore[arg-type]
    except Exception as exc:
        got = type(exc)
    assert got == expected


def _rechain(path: Path, row_id: int, at: str, *, as_text: bool = False) -> None:
    """Writes ``at`` into a row and re-hashes it and every later row as the program would have (``as_text``:
    over the stored text itself, as a check that did not parse it would accept)."""
    con = sqlite3.connect(path)
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_no_update")
        con.execute("UPDATE audit SET at = ? WHERE id = ?", (at, row_id))
        rows = con.execute(
            "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit ORDER BY id"
        ).fetchall()
        prev = audit.GENESIS
        for rid, stored, *fields in rows:
            if as_text:
                digest = audit._parts_hash((prev, stored, *fields))
            else:
                digest = audit.row_hash(prev, datetime.fromisoformat(stored), *fields)
            con.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
            prev = digest
        con.execute("UPDATE bando SET audit_head = ?", (prev,))
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("at", "ok"),
    [
        ("2018-04-16T07:40:00.000000+00:00", True),
        ("2018-04-16T09:40:00+02:00", True),
        ("2018-02-30T07:40:00+00:00", False),
    ],
)
def test_a_rechained_time_verifies_as_before(tmp_path: Path, milano: Bando, at: str, ok: bool) -> None:
    """Audit chain: a log re-hashed over a time verifies when the time parses, and never over 30 February."""
    path = tmp_path / "registro.valutazione"
    db = new_file(path, milano)
    db.close()
    _rechain(path, 1, at if ok else at.replace("+00:00", ".000000+00:00"), as_text=not ok)
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            if ok:
                assert audit.verify_chain(s).ok
            else:
                with pytest.raises(ValueError):
                    audit.verify_chain(s)
    finally:
        db.close()
