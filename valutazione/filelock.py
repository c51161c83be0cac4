"""One writer per file: a lock beside the database, and the places where writing is unsafe.

SQLite alone would let two copies of the application write the same file in turn, each unaware of the
other's changes; a committee's file must have one writer, and everyone else a read-only view with an
explanation. The lock is an OS lock on ``<file>.lock`` (released by the OS even after a crash) and the
file records who holds it, so the message can say who. Network shares are refused for writing because
their locks are unreliable and SQLite's WAL needs shared memory on one machine.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

NETWORK_FILESYSTEMS = {
    "nfs",
    "nfs4",
    "cifs",
    "smbfs",
    "smb3",
    "fuse.sshfs",
    "9p",
    "afs",
    "ncpfs",
    "davfs",
    "fuse.rclone",
}


@dataclass(frozen=True)
class Holder:
    user: str
    host: str
    pid: int
    since: str

    def describe(self) -> str:
        when = self.since
        try:
            when = datetime.fromisoformat(self.since).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            pass
        return f"{self.user} sul computer «{self.host}» (processo {self.pid}, dalle {when})"


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    """An exclusive OS lock held while a file is open for writing."""

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._fh: IO[str] | None = None

    def acquire(self) -> Holder | None:
        """Takes the lock; returns None on success, or who holds it."""
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while the lock is held
        if not _try_lock(fh):
            fh.seek(0)
            holder = _parse(fh.read())
            fh.close()
            return holder or Holder("un altro utente", "?", 0, "")
        me = Holder(getpass.getuser(), socket.gethostname(), os.getpid(), datetime.now().isoformat(timespec="seconds"))
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(me.__dict__))
        fh.flush()
        self._fh = fh
        return None

    def release(self) -> None:
        if self._fh is not None:
            _unlock(self._fh)
            self._fh.close()
            self._fh = None


def _parse(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
    except (ValueError, KeyError, TypeError):
        return None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fh: IO[str]) -> bool:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fh: IO[str]) -> bool:
        # POSIX record locks belong to the process: a second process conflicts, a second open in the
        # same process (tests, the CLI called in-process) does not.
        try:
            fcntl.lockf(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fh: IO[str]) -> None:
        fcntl.lockf(fh.fileno(), fcntl.LOCK_UN)


def filesystem_type(path: Path) -> str:
    """The type of the filesystem holding ``path`` (Linux: from /proc/mounts); '' when unknown."""
    if sys.platform == "win32":  # pragma: no cover
        return "network" if str(path.resolve()).startswith("\\\\") else ""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    target = str(path.resolve())
    best, kind = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, parts[2]
    return kind


def why_read_only(path: Path) -> str | None:
    """An Italian explanation when the file must be opened read-only, else None."""
    fs = filesystem_type(path.parent)
    if fs in NETWORK_FILESYSTEMS or fs == "network":
        return (
            f"«{path.name}» si trova in una cartella di rete ({fs}): per non rischiare di danneggiarlo "
            "viene aperto in sola lettura. Copiarlo sul proprio computer per lavorarci."
        )
    if not os.access(path, os.W_OK):
        return f"«{path.name}» non è modificabile (file protetto o supporto in sola lettura): aperto in sola lettura."
    if not os.access(path.parent, os.W_OK):
        return (
            f"La cartella di «{path.name}» non è scrivibile (supporto in sola lettura?): "
            "il file viene aperto in sola lettura."
        )
    return None
