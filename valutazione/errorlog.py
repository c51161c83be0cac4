"""The error log: where an unexpected error's traceback goes instead of the user's screen.

A committee member must never face a Python traceback, but whoever supports them needs one. So the GUI
(and any other front end) writes the details here, in the user's data folder (``valutazione.paths``), and
shows an Italian message naming this file. Qt-free, so the command line can share it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from valutazione import __version__
from valutazione.errors import ValutazioneError
from valutazione.paths import user_data_dir

LOG_NAME = "errori.log"
MAX_BYTES = 1_000_000  # past this the log is rotated once (errori.log.1), so it never grows without end


def log_path() -> Path:
    """In the user's data folder; in the system's temporary folder when that one is unusable (the
    error being logged may be exactly that)."""
    try:
        return user_data_dir() / LOG_NAME
    except (OSError, ValutazioneError):
        return Path(tempfile.gettempdir()) / f"valutazione-{LOG_NAME}"


def record(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    where: str,
) -> Path:
    """Appends the error with its traceback to the log and returns the log's path.

    ``where`` says which part of the program failed (the window, a background task, a thread), so the
    reader of the log knows what the user was doing. Never raises: a failure to log must not hide the
    original error behind a second one.
    """
    path = log_path()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    header = f"=== {stamp} · valutazione {__version__} · Python {sys.version.split()[0]} · {where}\n"
    body = "".join(traceback.format_exception(exc_type, exc, tb))
    try:
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
        with path.open("a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(header + body + "\n")
    except OSError:
        pass
    return path


def summary(exc: BaseException, limit: int = 300) -> str:
    """One line naming the error, for the message box (the full text is in the log)."""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
