"""Moving a committee between a file and a server: ``push`` (laptop → server) and ``pull`` (server → file).

Both copy every table row by row with its own ids, then verify the copy as ``audit verify`` would — the
chain and every seal, recomputed from the rows as the destination engine gives them back — before the
copy becomes visible: a push is one PostgreSQL transaction that is rolled back on any failure; a pull
writes a temporary file beside the destination and renames it into place only when verified. The source is
never written, and must itself verify: a broken file is not moved onto a server, where it would look new.

The copy keeps the committee's identity (``file_uuid``): packages handed out from the laptop before the
move still return to the committee on the server.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, insert, inspect, select, text
from sqlalchemy.orm import Session

from valutazione import db as _db
from valutazione import seals
from valutazione.errors import DatabaseError
from valutazione.models import Base
from valutazione.server.connect import current_revision, require_empty, server_engine
from valutazione.server.url import ServerAddress

CHUNK = 1000


@dataclass(frozen=True)
class CopyResult:
    rows: int
    tables: int
    verification: str

    def summary(self) -> str:
        return f"{self.rows} righe in {self.tables} tabelle; {self.verification}"


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _check_same_tables(conn: Connection, where: str) -> None:
    found = set(inspect(conn).get_table_names()) - {"alembic_version"}
    expected = {t.name for t in _tables()}
    if found != expected:
        extra = ", ".join(sorted(found ^ expected))
        raise DatabaseError(f"«{where}» non ha le tabelle attese da questa versione dell'applicazione ({extra}).")


def _copy_rows(source: Connection, dest: Connection) -> tuple[int, int]:
    """Every row of every table, parents first, ids kept; returns (rows, tables)."""
    total = 0
    for table in _tables():
        key = list(table.primary_key.columns)
        result = source.execute(select(table).order_by(*key).execution_options(yield_per=CHUNK))
        for chunk in result.partitions(CHUNK):
            dest.execute(insert(table), [dict(row._mapping) for row in chunk])
            total += len(chunk)
    return total, len(_tables())


def _verified(conn: Connection, where: str) -> str:
    """The destination as ``audit verify`` sees it; any broken seal or chain refuses the whole copy."""
    with Session(bind=conn) as s:
        report = seals.verify_file(s)
    if not report.ok:
        raise DatabaseError(f"La copia in «{where}» non supera la verifica e non è stata completata: {report.message}")
    return report.message


def _reset_sequences(conn: Connection) -> None:
    """Ids were copied as they are: each serial sequence resumes after the highest one."""
    for table in _tables():
        if [c.name for c in table.primary_key.columns] == ["id"]:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )


@contextmanager
def _file_source(path: Path) -> Iterator[Connection]:
    """The laptop's file, read-only, refused unless it verifies (the database's own checks apply)."""
    database = _db.open_database(path, read_only=True)
    try:
        with database.engine.connect() as conn:
            _verified(conn, str(path))
            _check_same_tables(conn, str(path))
            yield conn
    finally:
        database.close()


def push(source: Path, url: str) -> CopyResult:
    """Copies a verified committee file into an empty server database, in one transaction."""
    address = ServerAddress.parse(url)
    with _file_source(Path(source)) as src:
        engine = server_engine(address)
        try:
            with engine.begin() as dest:
                require_empty(dest, address)
                _db.upgrade_schema(dest)
                rows, tables = _copy_rows(src, dest)
                _reset_sequences(dest)
                message = _verified(dest, str(address))
        finally:
            engine.dispose()
    return CopyResult(rows, tables, message)


def pull(url: str, dest: Path) -> CopyResult:
    """Writes a verified single-file copy of the server's committee; ``dest`` appears only when complete."""
    address = ServerAddress.parse(url)
    dest = Path(dest)
    if dest.exists():
        raise DatabaseError(f"Il file «{dest}» esiste già: scegliere un altro nome.")
    engine = server_engine(address, read_only=True)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        # One snapshot of the server: rows written meanwhile by members are either all in, or none.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as src, src.begin():
            _db.check_revision(current_revision(src, address), str(address), "Il database")
            _check_same_tables(src, str(address))
            _db.create_schema_file(tmp)
            file_engine = _db.file_engine(tmp)
            try:
                with file_engine.begin() as out:
                    rows, tables = _copy_rows(src, out)
                    message = _verified(out, str(dest))
            finally:
                file_engine.dispose()
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        _db.remove_sidecars(tmp)
        raise
    finally:
        engine.dispose()
    return CopyResult(rows, tables, message)
