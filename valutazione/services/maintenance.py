"""What the CLI's ``backup`` and ``audit verify`` do, for the GUI's File menu: a copy on demand, a check on demand.

``check_file`` is the one entry point of the on-demand check. Today it recomputes the audit chain
(``valutazione.audit.verify_chain``); when the seals and the ``--against`` check of the exported
documents land, the integrator switches this one function to the full check and the menu follows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.db import backup_to
from valutazione.errors import RuleViolation


def backup_copy(source: Path, dest: Path) -> Path:
    """A consistent copy of the open file (SQLite online backup), never over the file itself."""
    if dest.resolve() == source.resolve():
        raise RuleViolation(f"La copia di sicurezza non può sostituire il file stesso («{source.name}»).")
    try:
        return backup_to(source, dest)
    except OSError as exc:
        raise RuleViolation(f"Impossibile scrivere la copia di sicurezza «{dest}»: {exc.strerror or exc}.") from exc


def check_file(s: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> audit.ChainReport:
    """The on-demand check of the open file (INTEGRATOR: switch to the full check with seals/--against)."""
    return audit.verify_chain(s, progress, cancelled)
