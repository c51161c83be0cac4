"""Finding members and applications by id or by the name the user typed, with Italian errors.

Also the call's rules, parsed once per distinct rules text: the GUI's autosave calls the services
many times a minute and must not re-validate the whole TOML layout on every keystroke.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.bando import Bando, bando_from_json
from valutazione.errors import NotFoundError
from valutazione.models import BandoRow, Commissario, Domanda


@lru_cache(maxsize=8)
def _parse_rules(rules_json: str) -> Bando:
    return bando_from_json(rules_json)


def bando_row(s: Session) -> BandoRow:
    row = s.scalars(select(BandoRow)).first()
    if row is None:
        raise NotFoundError("Il file non contiene un bando.")
    return row


def rules(s: Session) -> Bando:
    """The call's rules stored in the file (frozen, so sharing the cached object is safe)."""
    return _parse_rules(bando_row(s).rules_json)


def member(s: Session, member_id: int) -> Commissario:
    found = s.get(Commissario, member_id)
    if found is None:
        raise NotFoundError(f"Nessun commissario con identificativo {member_id}.")
    return found


def member_by_name(s: Session, name: str) -> Commissario:
    found = s.scalars(select(Commissario).where(Commissario.name == name.strip())).first()
    if found is None:
        raise NotFoundError(f"Il commissario «{name}» non fa parte della commissione.")
    return found


def domanda(s: Session, domanda_id: int) -> Domanda:
    found = s.get(Domanda, domanda_id)
    if found is None:
        raise NotFoundError(f"Nessuna domanda con identificativo {domanda_id}.")
    return found


def domanda_by_protocol(s: Session, protocol: str) -> Domanda:
    found = s.scalars(select(Domanda).where(Domanda.protocol == protocol.strip())).first()
    if found is None:
        raise NotFoundError(f"Nessuna domanda con protocollo «{protocol}».")
    return found
