"""Where a file is about to be written: checked before any work, so a refusal leaves nothing behind.

Every writer (export, backup, restore, a new file, a package, a return, a signed PDF) used to let the
operating system's error surface as a traceback after the work was done, sometimes with a temporary file
left beside the destination. ``prepare_output`` asks the questions first — is it a folder? does it exist
already? can its folder be created and written to? — and ``os_errors_as_messages`` translates whatever
the disk still says during the write into an Italian message naming the file. The CLI and the GUI share
both.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from valutazione.errors import FileAccessError, file_access_error

PROBE_PREFIX = ".valutazione-prova-"


def prepare_output(path: str | os.PathLike[str], *, may_exist: bool = True) -> Path:
    """The destination as a Path, ready to be written: its folder exists (created if missing) and is writable.

    Refuses a destination that is a folder, or that exists when ``may_exist`` is False. Writability is
    tried with a real file (created and removed at once): permission bits do not tell a read-only medium,
    a network share or a process running as administrator.
    """
    out = Path(path)
    if out.is_dir():
        raise FileAccessError(f"Impossibile scrivere «{out}»: è una cartella; indicare il nome di un file.")
    if not may_exist and (out.exists() or out.is_symlink()):
        raise FileAccessError(f"Impossibile scrivere «{out}»: esiste già; scegliere un altro nome.")
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file stands where a folder of the path should be
        raise file_access_error(OSError(errno.ENOTDIR, str(exc)), out) from exc
    except OSError as exc:
        raise file_access_error(exc, out) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=folder)
    except OSError as exc:
        raise file_access_error(exc, out) from exc
    os.close(fd)
    os.unlink(probe)
    return out


@contextmanager
def os_errors_as_messages(path: str | os.PathLike[str], action: str = "scrivere") -> Iterator[None]:
    """Inside the block, an OSError becomes a ``FileAccessError`` naming ``path`` (chained to the cause)."""
    try:
        yield
    except OSError as exc:
        raise file_access_error(exc, path, action) from exc
