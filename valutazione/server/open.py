"""Opening and creating a committee's database on a PostgreSQL server (``db.open_database`` with a URL).

No file lock and no backup copy here: the server serialises concurrent writers itself, and a migration
runs as one transaction (PostgreSQL's DDL is transactional), so an interrupted upgrade leaves the old
schema intact. Creating a committee is one transaction too: schema, rules and the log's first row, or
nothing — the database stays empty and can be used again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from valutazione import db as _db
from valutazione.errors import DatabaseError
from valutazione.server.connect import current_revision, require_empty, server_engine
from valutazione.server.url import ServerAddress


def open_server(address: ServerAddress, *, read_only: bool, guard: Callable[[_db.Database], None]) -> _db.Database:
    """The server's database opened as a file is, after the same revision checks (migrating if older)."""
    engine = server_engine(address, read_only=read_only)
    try:
        with engine.connect() as conn:
            revision = current_revision(conn, address)
        if _db.check_revision(revision, str(address), "Il database"):
            if read_only:
                raise DatabaseError(f"«{address}» usa uno schema precedente e va aggiornato: aprirlo in scrittura.")
            with engine.begin() as conn:
                _db.upgrade_schema(conn)
    except BaseException:
        engine.dispose()
        raise
    database = _db.Database(
        Path(address.database),
        engine,
        sessionmaker(engine, expire_on_commit=False),
        read_only,
        server=address,
    )
    guard(database)
    return database


def create_on_server(address: ServerAddress, first_rows: Callable[[Session], None]) -> None:
    """Schema and first rows in one transaction, on a database that must be empty."""
    engine = server_engine(address)
    try:
        with engine.begin() as conn:
            require_empty(conn, address)
            _db.upgrade_schema(conn)
            with Session(bind=conn) as s:
                first_rows(s)
                s.flush()
    finally:
        engine.dispose()
