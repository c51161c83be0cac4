"""Thousands of rows in one ``executemany`` on the driver's cursor, with the values the column types bind.

A merge writes ~70,000 log rows, ~45,000 marks and ~5,000 sheets per five returns. Through a Core
``insert()`` SQLAlchemy builds a parameter dictionary and runs every value through the column's bind
processor for each row: about as long as SQLite takes to store them. Here the caller gives plain tuples
in a fixed column order; only the columns whose type converts on the way in (our ``UTCDateTime`` and
``ExactDecimal``) go through that same processor, taken from the column's type, so the stored text is
exactly what the ORM and Core write. It works on both engines: the placeholder follows the driver's
parameter style (``?`` for sqlite3, ``%s`` for psycopg).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def binders(connection: Connection, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """Each column's bind processor on this connection's dialect (None where the value goes in as it is)."""
    return [table.c[name].type.bind_processor(connection.dialect) for name in columns]


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], *, bound: bool = False
) -> None:
    """INSERTs ``rows`` (tuples in ``columns`` order) with one ``executemany``.

    The values are Python objects, converted here, unless ``bound``: the caller applied ``binders`` itself
    while building the tuples (one pass over thousands of rows instead of two).
    """
    if not rows:
        return
    mark = _MARKS[connection.dialect.paramstyle]
    convert = [] if bound else [(i, f) for i, f in enumerate(binders(connection, table, columns)) if f is not None]
    if convert:
        rows = [_converted(row, convert) for row in rows]
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    connection.exec_driver_sql(sql, rows)


def _converted(row: tuple[Any, ...], convert: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(row)
    for i, f in convert:
        values[i] = f(values[i])
    return tuple(values)
