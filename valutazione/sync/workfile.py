"""The member's working file, written fresh: never over another file, never beside a stale journal.

SQLite replays a ``-journal`` or ``-wal`` it finds beside a database into it, so a journal left by a
working file that was deleted (or planted beside the name) would change a freshly unpacked package —
a fuzzer found a package whose database was a single NUL byte accepted that way. The working file is
therefore unpacked under a name of its own, checked, given its final name by a hard link (which fails
rather than replace an existing file) once every journal beside that name is gone, and checked again.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from valutazione.sync.archive import PackageError

SIDECARS = ("-journal", "-wal", "-shm")
SQLITE_MAGIC = b"SQLite format 3\x00"


def is_rollback_sqlite(path: Path) -> bool:
    """A SQLite file in rollback-journal mode (header bytes 18-19 are 1, 1), the only mode a package uses.

    A WAL-mode file would be read through whatever ``-wal`` lies beside it.
    """
    with open(path, "rb") as fh:
        header = fh.read(100)
    return len(header) == 100 and header[:16] == SQLITE_MAGIC and header[18:20] == b"\x01\x01"


def is_sound(path: Path) -> bool:
    """SQLite's full ``integrity_check`` (indexes against their tables too, which ``quick_check`` skips),
    read-only, and a valutazione schema: a working file is opened once, so the full check is affordable."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        con.text_factory = bytes  # a damaged schema's names need not be UTF-8 (soak of 28/11/2026)
        try:
            schema = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            return schema == (1,) and con.execute("PRAGMA integrity_check").fetchall() == [(b"ok",)]
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def link_fresh(pkg_path: Path, tmp: Path, target: Path) -> None:
    """Gives ``tmp`` the name ``target`` only if nothing has it; journals of an old file there are dropped."""
    for suffix in SIDECARS:  # no database of that name exists: whatever lies beside it is stale
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise PackageError(
            f"«{target.name}» è stato creato nel frattempo (il pacchetto «{pkg_path.name}» è stato aperto due "
            "volte?): riaprire il pacchetto. Nessuna modifica è stata fatta."
        ) from None
    except OSError as exc:
        raise PackageError(
            f"Impossibile scrivere il file di lavoro «{target}»: {exc.strerror or exc}. Nessuna modifica è stata fatta."
        ) from exc
    _fsync_dir(target.parent)


def make_folder(folder: Path) -> list[Path]:
    """Creates ``folder`` and its missing parents; returns those created, deepest first, to undo."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackageError(
            f"Impossibile creare la cartella di lavoro «{folder}»: {exc.strerror or exc}. "
            "Nessuna modifica è stata fatta."
        ) from exc
    return missing


def remove_made(made: list[Path]) -> None:
    for folder in made:
        try:
            folder.rmdir()
        except OSError:
            return


def remove_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    for suffix in SIDECARS:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Makes the new name durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
