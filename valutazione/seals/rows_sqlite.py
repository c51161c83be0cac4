"""The sealed rows' digests on SQLite: each row's canonical JSON written by SQLite itself.

A row's seal is the SHA-256 of the canonical JSON of its values as the program reads them
(``rows.row_digest``). At 5,000 applications 29,000 such rows (declarations of conflict, admissibility
outcomes) were each read through SQLAlchemy, their times parsed into datetimes and written back by the
JSON encoder. For a table whose every column is an integer, a boolean, a text or a time, SQLite's
``json_array`` writes that very text: an integer in decimal, a boolean as ``true``/``false`` (its 0 and 1
read as the program reads them), a string quoted as ``encode_basestring`` quotes it, a time as its
``isoformat()`` (the stored form, «.000000» left out as ``datetime`` leaves it out), NULL as ``null``.

A row's digest from that text is used only when each value is of the kind its column says (checked in
SQL), the bytes are UTF-8, each time is in the program's own form and parses (30 February fails as
ever), and the digest is the one its seal holds; any other row is read again and hashed as on any
other database (``rows.read_rows``), so a broken seal is reported exactly as before. The approved
versions' table stays with the general reading: its texts are tens of MB and hashed there in slices.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import datetime

from sqlalchemy import Boolean, Connection, Integer, String, Table, Text

from valutazione import audit
from valutazione.chain_sqlite import valid_utf8
from valutazione.models import GraduatoriaVersion, UTCDateTime
from valutazione.seals.rows import Seal, read_rows

_CHUNK = 500


def _spelling(table: Table) -> tuple[str, str, list[int]] | None:
    """(guard, json_array expression, positions of the time columns) for ``table``; None if not spelled here."""
    guards: list[str] = []
    values: list[str] = []
    times: list[int] = []
    for position, column in enumerate(table.columns):
        name = f'"{column.name}"'
        kind = type(column.type)
        if kind is Integer:
            guards.append(f"typeof({name}) IN ('integer', 'null')")
            values.append(name)
        elif kind is Boolean:
            guards.append(f"({name} IS NULL OR (typeof({name}) = 'integer' AND {name} IN (0, 1)))")
            values.append(f"CASE {name} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END")
        elif kind in (String, Text):
            guards.append(f"typeof({name}) IN ('text', 'null')")
            values.append(name)
        elif kind is UTCDateTime:
            guards.append(f"typeof({name}) IN ('text', 'null')")
            values.append(
                f"CASE WHEN substr({name}, 20) = '.000000+00:00' THEN substr({name}, 1, 19) || '+00:00' ELSE {name} END"
            )
            times.append(position)
        else:
            return None
    return " AND ".join(guards), f"CAST(json_array({', '.join(values)}) AS BLOB)", times


def digests(conn: Connection, table: Table, seals: Mapping[tuple[str, int], Seal]) -> Iterator[tuple[int, str]]:
    """(id, digest) of every stored row of ``table``, as ``rows.read_rows`` gives them."""
    spelling = None if table.name == GraduatoriaVersion.__tablename__ else _spelling(table)
    if spelling is None:
        yield from read_rows(conn, table)
        return
    guard, text, times = spelling
    stamps = ", ".join(f'"{table.columns[i].name}"' for i in times) or "NULL"
    sql = f'SELECT id, CASE WHEN {guard} THEN {text} END, {stamps} FROM "{table.name}" ORDER BY id'
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        try:
            cursor.execute(sql)
        except sqlite3.OperationalError:  # an SQLite without its JSON functions: the general reading
            yield from read_rows(conn, table)
            return
        stored_at_form = audit._STORED_AT.fullmatch
        sha256 = hashlib.sha256
        while chunk := cursor.fetchmany(_CHUNK):
            for row_id, spelled, *stamped in chunk:
                seal = seals.get((table.name, row_id))
                if (
                    spelled is not None
                    and seal is not None
                    and all(t is None or (type(t) is str and stored_at_form(t)) for t in stamped)
                    and sha256(spelled).hexdigest() == seal.digest
                    and valid_utf8(spelled)
                ):
                    for t in stamped:
                        if t is not None:
                            datetime.fromisoformat(t)  # a time that is no time fails as in the general reading
                    yield row_id, seal.digest
                else:  # read again and hashed as anywhere else, in its place (the same first error)
                    yield from read_rows(conn, table, [row_id])
    finally:
        cursor.close()
