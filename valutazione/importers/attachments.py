"""Finding an application's attachment files in the folder the platform delivered.

Platforms deliver either one flat folder or one sub-folder per application, named after the protocol
in some file-system-safe spelling (``PG_101-2018``, ``PG 101_2018``...). The lookup is lenient about that
spelling and about letter case, but never picks one of several different files with the same name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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
    path: Path | None
    reason: str = ""


class AttachmentFolder:
    """An index of the files under one folder (two levels deep), built once per import."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._by_name: dict[str, list[Path]] = {}
        for directory, subdirs, files in os.walk(self.root):
            depth = len(Path(directory).relative_to(self.root).parts)
            if depth >= 2:
                subdirs.clear()
            for name in files:
                self._by_name.setdefault(name.casefold(), []).append(Path(directory) / name)

    def find(self, filename: str, protocol: str) -> Lookup:
        """The file for ``filename`` of the application ``protocol``, or why it was not found."""
        direct = self.root / filename
        if direct.is_file() and direct.resolve().is_relative_to(self.root.resolve()):
            return Lookup(direct)
        candidates = self._by_name.get(Path(filename).name.casefold(), [])
        if not candidates:
            return Lookup(None, f"«{filename}» non trovato nella cartella degli allegati")
        own = [p for p in candidates if p.parent != self.root and _key(p.parent.name) == _key(protocol)]
        if len(own) == 1:
            return Lookup(own[0])
        if len(candidates) == 1:
            return Lookup(candidates[0])
        top = [p for p in candidates if p.parent == self.root]
        if len(top) == 1:
            return Lookup(top[0])
        return Lookup(None, f"«{filename}» presente in più cartelle: non è possibile sapere quale sia")
