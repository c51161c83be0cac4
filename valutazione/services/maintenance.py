"""What the CLI's ``backup`` and ``audit verify`` do, for the GUI's File menu: a copy on demand, a check on demand.

``check_file`` is the one entry point of the on-demand check, the same as ``valutazione audit verify``:
the chain, every seal, and optionally the documents the committee exported or signed (``--against``),
whose printed anchor and statements must still match the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from valutazione import seals
from valutazione.db import backup_to
from valutazione.errors import RuleViolation, os_error_reason
from valutazione.seals.anchors import verify_against
from valutazione.seals.report import BrokenSeal
from valutazione.server.url import is_server_url


def backup_copy(source: Path | str, dest: Path) -> Path:
    """A consistent copy of the open file (SQLite online backup), never over the file itself; of a
    server's database, a verified single-file copy (``server pull``)."""
    if is_server_url(source):
        from valutazione.server.copy import pull

        pull(str(source), dest)
        return dest
    source = Path(source)
    if dest.resolve() == source.resolve():
        raise RuleViolation(f"La copia di sicurezza non può sostituire il file stesso («{source.name}»).")
    try:
        return backup_to(source, dest)
    except OSError as exc:
        raise RuleViolation(f"Impossibile scrivere la copia di sicurezza «{dest}»: {os_error_reason(exc)}.") from exc


@dataclass(frozen=True)
class FileCheck:
    """The file's own seals and, for each document checked against it, what no longer matches."""

    seals: seals.SealReport
    documents: tuple[tuple[str, tuple[BrokenSeal, ...]], ...]

    @property
    def broken(self) -> tuple[BrokenSeal, ...]:
        return self.seals.broken + tuple(b for _, found in self.documents for b in found)

    @property
    def ok(self) -> bool:
        return self.seals.ok and not self.broken

    @property
    def rows(self) -> int:
        return self.seals.chain.rows


def check_file(
    s: Session,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
    documents: Sequence[Path] = (),
) -> FileCheck:
    """Chain and seals of the open file, then each document against it (every broken object, not the first)."""
    report = seals.verify_file(s, progress, cancelled)
    checked = tuple((doc.name, tuple(verify_against(s, doc))) for doc in documents)
    return FileCheck(report, checked)
