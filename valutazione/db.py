"""Opening a committee's file or server: SQLite pragmas, schema migrations, the session factory.

A committed score must survive a power cut (``synchronous=FULL``), a migration is all-or-nothing and
preceded by a backup copy, and a file written by a newer version of the application is refused without
being touched. Alembic is imported only when a migration is actually needed, to keep start-up fast.

Every opening takes a file path or a ``postgresql://user@host/database`` address (valutazione/server/):
on a server there is no file lock (the server serialises writers), no WAL pragmas and no backup copy
before a migration (PostgreSQL runs the whole migration as one transaction; the server's own backups,
pg_dump, are the administrator's), and a read-only opening is enforced by the server itself.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from valutazione import storage_errors
from valutazione.bando import Bando, bando_from_json
from valutazione.errors import DatabaseError, SchemaTooNewError
from valutazione.filelock import Holder, WriterLock, why_read_only
from valutazione.models import BandoRow, ZonaRow
from valutazione.seals import rows as _seal_rows  # noqa: F401 - registers the hooks that seal decisive rows
from valutazione.server.url import ServerAddress, is_server_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"


def known_revisions() -> list[str]:
    """Revision ids in order; each revision file is named ``NNNN_description.py`` with revision ``NNNN``."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def head_revision() -> str:
    return known_revisions()[-1]


class FileLockedError(DatabaseError):
    """Another copy of the application has the file open for writing."""

    def __init__(self, path: Path, holder: Holder) -> None:
        self.holder = holder
        super().__init__(
            f"«{path.name}» è già aperto in scrittura da {holder.describe()}. "
            "Si può aprire in sola lettura, oppure attendere che venga chiuso."
        )


class ReadOnlyLocationError(DatabaseError):
    """The file sits where writing is unsafe or impossible (network share, read-only medium)."""


@dataclass
class Database:
    """An open file: its engine and the session factory that every use case receives."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    read_only: bool = False
    lock: WriterLock | None = None
    seals: Any = None  # the last seals.SealReport of this file (None: not verified yet)
    server: ServerAddress | None = None  # set when the committee lives on a PostgreSQL server

    @property
    def location(self) -> Path | str:
        """What the commands take: the file's path, or the server's ``postgresql://`` address."""
        return str(self.server) if self.server is not None else self.path

    @property
    def label(self) -> str:
        """How the user names this database: the file's name, or the server's address."""
        return str(self.server) if self.server is not None else self.path.name

    def sealed(self, report: Any) -> None:
        """Keeps the verification made elsewhere (the GUI's background check) for the write guard."""
        self.seals = report

    def _guard_writes(self, session: Session, _context: Any, _instances: Any) -> None:
        """The one place every write passes (a flush): refused while a seal of the file is broken.

        The seals are verified on the first write if the GUI's background check has not finished yet
        (the CLI's case), then the result is kept: this process's own writes are sealed as they go. On a
        file, a commit by any other connection after that (a hand edit under the running program) is
        noticed at the next write through ``seals.memo`` and the file is verified again in full.
        """
        from valutazione import seals
        from valutazione.seals import memo

        if self.seals is None:
            self.seals = memo.remembered(session)  # ``require_intact`` just verified it on this connection
        if self.seals is None:
            before = memo.data_version(session)
            self.seals = seals.verify_file(session)
            if self.seals.ok:
                memo.remember(session, before, self.seals)
        elif self.server is None and self.seals.ok:
            seen = memo.seen(session)
            if seen is None:  # the check ran on another connection (the GUI's worker): trusted from now on
                memo.remember(session, memo.data_version(session), self.seals)
            elif not seen:
                before = memo.data_version(session)
                self.seals = seals.verify_file(session)
                if self.seals.ok:
                    memo.remember(session, before, self.seals)
        if not self.seals.ok:
            raise seals.BrokenSealError(list(self.seals.broken))

    def bando(self) -> Bando:
        with self.sessions() as s:
            return load_rules(s)

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def load_rules(session: Session) -> Bando:
    row = session.scalars(select(BandoRow)).one()
    return bando_from_json(row.rules_json)


def read_only_uri(path: Path) -> str:
    """A sqlite3 URI to read ``path`` without writing it.

    On a read-only medium SQLite cannot create the WAL index beside the file, so the file is declared
    immutable there; elsewhere plain read-only mode still sees another writer's commits.
    """
    flag = "mode=ro" if os.access(path.parent, os.W_OK) else "immutable=1"
    return f"file:{path}?{flag}"


# A new file's page size, in bytes; SQLite takes it only while the file is still empty (a file made with
# SQLite's default 4,096 by earlier versions keeps that size and works as before). A sent sheet's log row
# holds ~2.7 KB of marks: one to a 4 KiB page, a third of it left empty, and one more page for SQLite to
# write. At 16 KiB the log of 5 × 5,000 sheets takes 8 % less room and their merge 7 % less time
# (benchmarks/README.md, round five, third stop); a draft's autosave writes a larger page, unnoticed.
PAGE_SIZE = 16_384
# The journal is copied back into the file once it holds this much: SQLite's default (1,000 pages) in
# bytes at 4 KiB, kept in bytes at any page size, so a file on a nearly full disk needs no more room.
WAL_CHECKPOINT_BYTES = 4_096_000


def _engine(path: Path, read_only: bool = False) -> Engine:
    if read_only:
        url = f"sqlite:///{read_only_uri(path)}&uri=true"
    else:
        url = f"sqlite:///{path}"
    engine = create_engine(url, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (pysqlite quirk).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: afterwards it can no longer change
            cur.execute("PRAGMA journal_mode=WAL")
            (size,) = cur.execute("PRAGMA page_size").fetchone()  # the file's own, old or new
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_BYTES // size}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    storage_errors.install(engine)
    return engine


def _current_revision(path: Path) -> str | None:
    """The schema revision recorded in the file, read with plain sqlite3 (no write, no Alembic)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise DatabaseError(f"Impossibile aprire «{path}»: {exc.strerror or exc}") from exc
    if magic != SQLITE_MAGIC:
        raise DatabaseError(f"«{path}» non è un file di valutazione (non è un database SQLite).")
    con = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseError(f"«{path}» è un database SQLite ma non un file di valutazione.")
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"«{path}» è danneggiato o non leggibile: {exc}") from exc
    finally:
        con.close()


def is_healthy(path: Path) -> bool:
    """SQLite's own check of the file's structure, and that it holds a valutazione schema at all."""
    try:
        con = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            return bool(tables == (1,) and con.execute("PRAGMA quick_check").fetchone() == ("ok",))
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def remove_sidecars(path: Path) -> None:
    """Deletes SQLite's ``-wal`` and ``-shm`` files of a database that is not (or no longer) there."""
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def backup_to(source: Path, dest: Path) -> Path:
    """SQLite online backup: a consistent copy even while another connection is writing."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(read_only_uri(source), uri=True)
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    tmp.replace(dest)
    return dest


def upgrade_schema(conn: Connection) -> None:
    """Runs the Alembic migrations up to head on ``conn``, inside the caller's transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def file_engine(path: Path) -> Engine:
    """An engine on a file with the house pragmas, for callers that manage the file themselves."""
    return _engine(path)


def create_schema_file(path: Path) -> None:
    """A new file holding the current schema and no call yet (``server pull`` fills it)."""
    _migrate(path)


def _migrate(path: Path) -> None:
    """Upgrades the schema in one transaction on a connection of its own, closed afterwards."""
    engine = _engine(path)
    try:
        with engine.begin() as conn:
            upgrade_schema(conn)
    finally:
        engine.dispose()


def open_database(path: str | Path, *, read_only: bool = False) -> Database:
    """Opens an existing file (or server database), migrating it when its schema is older than ours.

    For writing, the file must be on a local writable disk and not open for writing elsewhere:
    otherwise ``ReadOnlyLocationError`` or ``FileLockedError`` explain why, and the caller may open it
    read-only instead (see ``open_for_user``). A file is migrated after a backup copy; a server in one
    transaction.
    """
    if is_server_url(path):
        from valutazione.server.open import open_server

        return open_server(ServerAddress.parse(str(path)), read_only=read_only, guard=_guard)
    path = Path(path)
    if not path.exists():
        raise DatabaseError(f"Il file «{path}» non esiste.")
    lock = None
    if not read_only:
        reason = why_read_only(path)
        if reason:
            raise ReadOnlyLocationError(reason)
        lock = WriterLock(path)
        holder = lock.acquire()
        if holder is not None:
            raise FileLockedError(path, holder)
    try:
        return _open_checked(path, read_only, lock)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def open_for_user(path: str | Path) -> tuple[Database, str | None]:
    """Opens for writing when possible, else read-only with the Italian explanation to show."""
    try:
        return open_database(path), None
    except (FileLockedError, ReadOnlyLocationError) as exc:
        return open_database(path, read_only=True), str(exc)


def _open_checked(path: Path, read_only: bool, lock: WriterLock | None) -> Database:
    known = known_revisions()
    if check_revision(_current_revision(path), str(path), "Il file"):
        if read_only:
            raise DatabaseError(f"«{path}» usa uno schema precedente e va aggiornato: aprirlo in scrittura.")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        backup_to(path, path.with_name(f"{path.stem}.prima-di-{known[-1]}-{stamp}{path.suffix}.bak"))
        _migrate(path)
    engine = _engine(path, read_only)
    db = Database(path, engine, sessionmaker(engine, expire_on_commit=False), read_only, lock)
    _guard(db)
    return db


def _guard(db: Database) -> None:
    """Every write of a database opened for writing passes the seal check first (``_guard_writes``)."""
    if not db.read_only:
        event.listen(db.sessions, "before_flush", db._guard_writes)


def check_revision(revision: str | None, where: str, noun: str) -> bool:
    """Whether the schema needs upgrading; refuses an empty database and one from a newer version."""
    known = known_revisions()
    if revision is None:
        raise DatabaseError(f"«{where}» è vuoto: non contiene un bando.")
    if revision not in known:
        raise SchemaTooNewError(
            f"«{where}» è stato creato da una versione più recente dell'applicazione (schema {revision}); "
            f"aggiornare valutazione per aprirlo. {noun} non è stato modificato."
        )
    return revision != known[-1]


def write_first_rows(s: Session, bando: Bando, source_toml: str, actor: str) -> None:
    """The call's own copy of its rules and zones, and the log's first row: what makes a new committee."""
    from valutazione import audit

    s.add(
        BandoRow(
            code=bando.code,
            title=bando.title,
            rules_json=bando.to_json(),
            source_toml=source_toml,
            file_uuid=str(uuid.uuid4()),
        )
    )
    s.add_all(ZonaRow(number=z.number, name=z.name) for z in bando.zones)
    s.flush()
    audit.record(s, actor, "bando.creato", "bando", bando.code, None, {"codice": bando.code})


def create_database(path: str | Path, bando: Bando, source_toml: str = "", *, actor: str = "sistema") -> Database:
    """Creates a new file (or fills an empty server database) holding its own copy of the call's rules."""
    if is_server_url(path):
        from valutazione.server.open import create_on_server

        create_on_server(ServerAddress.parse(str(path)), lambda s: write_first_rows(s, bando, source_toml, actor))
        return open_database(path)
    path = Path(path)
    if path.exists():
        raise DatabaseError(f"Il file «{path}» esiste già: scegliere un altro nome.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _migrate(path)
        db = open_database(path)
        with db.sessions.begin() as s:
            write_first_rows(s, bando, source_toml, actor)
    except BaseException:
        path.unlink(missing_ok=True)
        remove_sidecars(path)
        raise
    return db


@contextmanager
def opened(path: str | Path, *, read_only: bool = False) -> Iterator[Database]:
    db = open_database(path, read_only=read_only)
    try:
        yield db
    finally:
        db.close()
