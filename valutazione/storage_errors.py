"""Storage failures (full disk, failing medium, read-only file) as Italian errors the user can act on.

SQLite reports these as ``sqlite3.OperationalError`` ("database or disk is full", "disk I/O error",
"attempt to write a readonly database"), which SQLAlchemy wraps again; shown raw, they read as a crash
and say nothing about what to do. The transaction has been rolled back by then and the file is intact,
so the message says so: the user frees space or moves the file, and saves again.

``install(engine)`` makes every statement and commit of an engine raise the translated error (the
place for it is ``db._engine``); ``translate_storage_errors()`` does the same around a block, for
callers that hold no engine of their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from valutazione.errors import DatabaseError


class StorageError(DatabaseError):
    """The disk refused a write; the transaction was rolled back and the file is as it was before it."""


class DiskFullError(StorageError):
    """No space left where the file (or its journal) lives."""


class DiskIOError(StorageError):
    """The medium failed to read or write (a removed USB stick, a failing disk)."""


class ReadOnlyStorageError(StorageError):
    """The file or its folder became read-only while it was open."""


_NOT_SAVED = "L'ultima modifica non è stata salvata; i dati salvati in precedenza sono integri."

_RULES: tuple[tuple[tuple[str, ...], type[StorageError], str], ...] = (
    (
        ("disk is full", "database or disk is full", "no space left"),
        DiskFullError,
        "Spazio su disco esaurito. " + _NOT_SAVED + " Liberare spazio sul disco (o spostare il file su un "
        "disco con più spazio) e ripetere l'operazione.",
    ),
    (
        ("disk i/o error", "input/output error"),
        DiskIOError,
        "Errore di lettura o scrittura sul disco (supporto rimosso o danneggiato?). " + _NOT_SAVED + " "
        "Verificare il supporto, riaprire il file e ripetere l'operazione.",
    ),
    (
        ("readonly database", "read-only file system", "read-only database"),
        ReadOnlyStorageError,
        "Il file è diventato non modificabile (supporto in sola lettura o permessi cambiati). "
        + _NOT_SAVED
        + " Copiare il file in una cartella scrivibile e riaprirlo.",
    ),
)


def translate(exc: BaseException) -> StorageError | None:
    """The Italian error for a storage failure, or None when ``exc`` is something else."""
    original: Any = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(original, sqlite3.OperationalError | OSError):
        text = str(original).lower()
        for needles, kind, message in _RULES:
            if any(n in text for n in needles):
                return kind(message)
    return None


@contextmanager
def translate_storage_errors() -> Iterator[None]:
    """Re-raises storage failures inside the block as ``StorageError`` subclasses (chained to the cause)."""
    try:
        yield
    except StorageError:
        raise
    except (DBAPIError, sqlite3.OperationalError, OSError) as exc:
        translated = translate(exc)
        if translated is None:
            raise
        raise translated from exc


def install(engine: Engine) -> None:
    """Translates storage failures of every statement and commit run on ``engine``."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> StorageError | None:
        return translate(context.original_exception)
