"""Monitoring officers (*referenti del monitoraggio*): who follows the funded projects after the ranking.

They are not committee members: no vote, no scores, no declaration on the applications. The chair adds
them; in the who-am-I step they are listed with their role and enter only the funded-projects screen.
Every addition is in the audit log, like any other change of who may write in the file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import Commissario
from valutazione.projects.tables import Referente

ROLE = "referente"


@dataclass(frozen=True)
class OfficerInfo:
    id: int
    name: str


def list_officers(s: Session) -> list[OfficerInfo]:
    return [OfficerInfo(r.id, r.name) for r in s.scalars(select(Referente).order_by(Referente.name))]


def _key(name: str) -> str:
    """A name as a reader tells people apart: «LAURA FUMAGALLI» is the chair Laura Fumagalli, and the audit
    log would show the officer's payments under what reads as the chair's name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def add_officer(s: Session, actor: str, name: str) -> OfficerInfo:
    """Adds an officer; refuses an empty name, a repeated one, or a committee member's (one role each)."""
    name = " ".join(name.split())
    if not name:
        raise RuleViolation("Indicare nome e cognome del referente del monitoraggio.")
    key = _key(name)
    officer = next((n for n in s.scalars(select(Referente.name)) if _key(n) == key), None)
    if officer is not None:
        raise RuleViolation(f"{officer} è già referente del monitoraggio.")
    member = next((n for n in s.scalars(select(Commissario.name)) if _key(n) == key), None)
    if member is not None:
        raise RuleViolation(
            f"{member} è componente della commissione: il referente del monitoraggio è un'altra persona."
        )
    row = Referente(name=name)
    s.add(row)
    s.flush()
    audit.record(s, actor, "referente.aggiunto", "referente", name, None, {"nome": name})
    return OfficerInfo(row.id, row.name)
