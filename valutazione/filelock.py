"""One writer per file: a lock beside the database, and the places where writing is unsafe.

SQLite alone would let two copies of the application write the same file in turn, each unaware of the
other's changes; a committee's file must have one writer, and everyone else a read-only view with an
explanation. The lock is an OS lock on ``<file>.lock`` (released by the OS even after a crash) and the
file records who holds it, so the message can say who. Network shares are refused for writing because
their locks are unreliable and SQLite's WAL needs shared memory on one machine.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
import tempfile
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
    """The lock beside the file, after resolving links: a symlink to the file shares its lock."""
    real = db_path.resolve() if db_path.exists() else db_path
    return real.with_name(real.name + ".lock")


def inode_lock_dir() -> Path:
    """Where this machine's locks keyed by device and inode live (shared by every user of the machine)."""
    return Path(tempfile.gettempdir()) / "valutazione-lock"


def inode_lock_path(db_path: Path) -> Path | None:
    """``<dev>-<inode>.lock`` of the file, or None when it does not exist yet.

    Hard links give one file several names in several folders, each with its own ``.lock`` beside it;
    the device and inode are what all the names share, so the lock keyed by them is the one a second
    name cannot miss. (SQLite would even keep a separate WAL per name, and one history would be lost.)
    """
    try:
        info = os.stat(db_path)
    except OSError:
        return None
    return inode_lock_dir() / f"{info.st_dev}-{info.st_ino}.lock"


def _open_shared(path: Path) -> IO[str]:
    """Opens a lock file in the machine-wide folder; never through a link another user planted there."""
    folder = path.parent
    folder.mkdir(mode=0o777, exist_ok=True)
    with contextlib.suppress(OSError):  # only the owner can; others find it already shared
        os.chmod(folder, 0o1777)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):  # the umask narrowed it; another user must open it too
            os.fchmod(fd, 0o666)
    return os.fdopen(fd, "r+", encoding="utf-8")


class WriterLock:
    """An exclusive OS lock held while a file is open for writing.

    Two locks, both needed: the one beside the file (its resolved path) is seen by every computer that
    reaches the folder; the one keyed by device and inode catches a second name of the same file on this
    computer (a hard link, or a symlink whose target moved).
    """

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(Path(db_path))
        self.inode_path = inode_lock_path(Path(db_path))
        self._handles: list[IO[str]] = []

    def acquire(self) -> Holder | None:
        """Takes the lock; returns None on success, or who holds it."""
        me = Holder(getpass.getuser(), socket.gethostname(), os.getpid(), datetime.now().isoformat(timespec="seconds"))
        opened: list[IO[str]] = []
        try:
            opened.append(open(self.path, "a+", encoding="utf-8"))
            if self.inode_path is not None:
                try:
                    opened.append(_open_shared(self.inode_path))
                except OSError:
                    pass  # no shared temporary folder: the lock beside the file still protects each name
        except BaseException:
            for fh in opened:
                fh.close()
            raise
        for index, fh in enumerate(opened):
            if not _try_lock(fh):
                fh.seek(0)
                holder = _parse(fh.read())
                for taken in opened[:index]:
                    _unlock(taken)
                for other in opened:
                    other.close()
                return holder or Holder("un altro utente", "?", 0, "")
        for fh in opened:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(me.__dict__))
            fh.flush()
        self._handles = opened
        return None

    def release(self) -> None:
        for fh in self._handles:
            _unlock(fh)
            fh.close()
        self._handles = []


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
