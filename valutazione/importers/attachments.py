"""Finding an application's attachment files in the folder the platform delivered.

Platforms deliver either one flat folder or one sub-folder per application, named after the protocol
in some file-system-safe spelling (``PG_101-2018``, ``PG 101_2018``...). The lookup is lenient about that
spelling and about letter case, but never picks one of several different files with the same name.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from valutazione.errors import os_error_reason
from valutazione.importers.parsing import normalise_words

_SEPARATORS = re.compile(r"[|;\n]")


def split_attachments(cell: str) -> tuple[str, ...]:
    """``"a.pdf | b.pdf; c.pdf"`` → the names in order, without blanks or repeats."""
    names: list[str] = []
    for raw in _SEPARATORS.split(cell):
        name = raw.strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _key(text: str) -> str:
    """Protocol or folder name reduced to letters and digits: ``PG 101/2018`` ~ ``PG_101-2018``."""
    return normalise_words(text).replace(" ", "")


@dataclass(frozen=True)
class Lookup:
    """The file found, or why not; ``refused`` marks a file that exists but must never be read."""

    path: Path | None
    reason: str = ""
    refused: bool = False


class AttachmentFolder:
    """An index of the files under one folder (two levels deep), built once per import.

    Only regular files that stay inside the folder once links are resolved are ever handed out: a
    link to a file elsewhere (``~/.ssh/id_ed25519``, another committee's file), to ``/dev/zero`` or to a
    FIFO would otherwise be stored in the committee file and travel in every member's package, exhaust
    memory, or hang the import. Everything is decided with ``os.stat``, which never opens the file.
    """

    def __init__(self, root: str | Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.real_root = self.root.resolve()
        self.max_bytes = max_bytes
        self._by_name: dict[str, list[Path]] = {}
        for directory, subdirs, files in os.walk(self.root):
            depth = len(Path(directory).relative_to(self.root).parts)
            if depth >= 2:
                subdirs.clear()
            for name in files:
                self._by_name.setdefault(name.casefold(), []).append(Path(directory) / name)

    def find(self, filename: str, protocol: str) -> Lookup:
        """The file for ``filename`` of the application ``protocol``, or why it was not found or refused."""
        direct = self.root / filename
        if os.path.lexists(direct):
            return self.check(direct, filename)
        candidates = self._by_name.get(Path(filename).name.casefold(), [])
        if not candidates:
            return Lookup(None, f"«{filename}» non trovato nella cartella degli allegati")
        own = [p for p in candidates if p.parent != self.root and _key(p.parent.name) == _key(protocol)]
        if len(own) == 1:
            return self.check(own[0], filename)
        if len(candidates) == 1:
            return self.check(candidates[0], filename)
        top = [p for p in candidates if p.parent == self.root]
        if len(top) == 1:
            return self.check(top[0], filename)
        return Lookup(None, f"«{filename}» presente in più cartelle: non è possibile sapere quale sia")

    def check(self, path: Path, filename: str) -> Lookup:
        """``path`` if it is a regular file inside the folder within the size limit, else a refusal."""
        real = path.resolve()
        if not real.is_relative_to(self.real_root):
            return Lookup(
                None,
                f"allegato «{filename}» rifiutato: è un collegamento a un file fuori dalla cartella degli allegati",
                refused=True,
            )
        try:
            info = os.stat(real)
        except OSError as exc:
            return Lookup(None, f"«{filename}» non leggibile: {os_error_reason(exc)}")
        problem = _not_acceptable(info, filename, self.max_bytes)
        if problem:
            return Lookup(None, problem, refused=True)
        return Lookup(real)


def _not_acceptable(info: os.stat_result, filename: str, max_bytes: int) -> str:
    if not stat.S_ISREG(info.st_mode):
        return f"allegato «{filename}» rifiutato: non è un file ordinario (dispositivo, coda o cartella)"
    return _too_large(info.st_size, filename, max_bytes)


def _too_large(size: int, filename: str, max_bytes: int) -> str:
    if size <= max_bytes:
        return ""
    return (
        f"allegato «{filename}» rifiutato: {_mb(size)}, oltre il limite di {_mb(max_bytes)} "
        "fissato dal bando (chiave bando.allegato_dimensione_massima_mb)"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def read_attachment(path: Path, filename: str, max_bytes: int) -> bytes:
    """The bytes of a file the planning accepted, checked again on the open descriptor.

    The file may have been swapped between planning and writing: it is opened without following a
    final link and without blocking (a FIFO put in its place returns at once), then ``fstat`` on the
    descriptor decides, and never more than ``max_bytes + 1`` bytes are read. Raises ``OSError`` or
    ``ValueError`` (Italian reason) for the caller to turn into a refusal naming the row.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        problem = _not_acceptable(os.fstat(fd), filename, max_bytes)
        if problem:
            raise ValueError(problem)
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew after fstat
        raise ValueError(_too_large(len(data), filename, max_bytes))
    return data
