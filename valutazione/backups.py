"""Automatic rotating backups of a committee's file, and restoring one.

Copies are made with SQLite's online backup API (consistent even while the file is open) into the
user's data directory, one folder per file identity, keeping the newest ``KEEP`` copies. They are taken
when a file is opened and after each ranking approval, the moments after which losing the file would
cost a committee a session's work.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from valutazione.db import Database, backup_to, is_healthy, open_for_user
from valutazione.errors import DatabaseError
from valutazione.paths import user_data_dir
from valutazione.server.url import is_server_url

KEEP = 10
SUFFIX = ".valutazione.bak"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    reason: str

    @property
    def label(self) -> str:
        local = self.taken_at.astimezone()
        return f"{local:%d/%m/%Y %H:%M:%S} – {self.reason}"


def backup_dir(db_path: Path) -> Path:
    """Backups of one file live in a folder named after its resolved path (stable across sessions)."""
    key = hashlib.sha256(str(db_path.resolve()).encode("utf-8")).hexdigest()[:12]
    return user_data_dir() / "backup" / f"{db_path.stem}-{key}"


def take_backup(db_path: Path | str, reason: str) -> Path | None:
    """Copies the file now, then drops the oldest copies beyond ``KEEP``.

    Nothing for a server's database (None): its copies are the server administrator's (pg_dump), and
    ``valutazione server pull`` writes a file copy on request.
    """
    if is_server_url(db_path):
        return None
    db_path = Path(db_path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe_reason = "".join(c if c.isalnum() else "-" for c in reason)[:40]
    dest = backup_dir(db_path) / f"{stamp}_{safe_reason}{SUFFIX}"
    backup_to(db_path, dest)
    for old in list_backups(db_path)[KEEP:]:
        old.path.unlink(missing_ok=True)
    return dest


def _fingerprint(db_path: Path) -> str:
    """Size and modification time of the file and its journal: changes whenever a transaction commits."""
    parts = []
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        try:
            st = path.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)


def take_backup_if_changed(db_path: Path, reason: str) -> Path | None:
    """A backup unless the newest one already holds this very state (reopening an unchanged file).

    Opening takes a backup every time; without this check a committee reopening a large file ten times
    a day would copy it ten times and rotate its real history away.
    """
    marker = backup_dir(db_path) / "ultimo-stato.txt"
    state = _fingerprint(db_path)
    if list_backups(db_path) and marker.exists() and marker.read_text(encoding="utf-8") == state:
        return None
    taken = take_backup(db_path, reason)
    marker.write_text(state, encoding="utf-8")
    return taken


def list_backups(db_path: Path) -> list[Backup]:
    """Newest first."""
    folder = backup_dir(db_path)
    found = []
    for path in folder.glob(f"*{SUFFIX}") if folder.exists() else []:
        stamp, _, rest = path.name.partition("_")
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(path, taken, rest.removesuffix(SUFFIX).replace("-", " ")))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def latest_good_backup(db_path: Path) -> Backup | None:
    for backup in list_backups(db_path):
        if is_healthy(backup.path):
            return backup
    return None


def restore(backup: Path, db_path: Path) -> Path:
    """Puts a backup in place of the file; the current file is kept aside, never deleted."""
    if not is_healthy(backup):
        raise DatabaseError(f"La copia «{backup.name}» è danneggiata: non può essere ripristinata.")
    aside = None
    if db_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        aside = db_path.with_name(f"{db_path.stem}.sostituito-{stamp}{db_path.suffix}")
        db_path.replace(aside)
        for extra in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + extra)
            if side.exists():
                side.replace(aside.with_name(aside.name + extra))
    tmp = db_path.with_name(db_path.name + ".ripristino")
    shutil.copyfile(backup, tmp)
    tmp.replace(db_path)
    return aside or db_path


class CorruptFileError(DatabaseError):
    """The file is damaged; ``backup`` is the newest good copy to offer, if any."""

    def __init__(self, path: Path, backup: Backup | None) -> None:
        self.backup = backup
        offer = (
            f" È disponibile una copia integra del {backup.label}: ripristinarla?"
            if backup
            else " Non ci sono copie di sicurezza integre."
        )
        super().__init__(f"«{path.name}» è danneggiato.{offer}")


def open_for_work(path: Path) -> tuple[Database, str | None]:
    """How the desktop opens a file: damaged → offer the backup; else open (read-only if it must) and back up.

    Returns the database and, when it had to be opened read-only, the explanation to show.
    """
    if path.exists() and path.stat().st_size > 0 and not is_healthy(path):
        raise CorruptFileError(path, latest_good_backup(path))
    db, why = open_for_user(path)
    if not db.read_only:
        take_backup_if_changed(path, "apertura")
    return db, why
