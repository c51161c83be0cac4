"""Fixtures for the services: a committee of four and a few applications in a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.builders import Builder, domanda
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Domanda, Flag
from valutazione.services import committee
from valutazione.services.sheets import Mark

TEAM = (
    ("Anna Rossi", "presidente"),
    ("Bruno Verdi", "componente"),
    ("Carla Neri", "componente"),
    ("Dario Bianchi", "segretario"),
)


@dataclass(frozen=True)
class Committee:
    chair: int
    bruno: int
    carla: int
    secretary: int
    domande: tuple[int, ...]

    @property
    def scorers(self) -> tuple[int, int, int]:
        return (self.chair, self.bruno, self.carla)


def add_domanda(
    s: Session, protocol: str, grant_cents: int = 4_000_000, minutes: int = 0, flags: tuple[str, ...] = ()
) -> Domanda:
    """One synthetic application inside a test's own transaction (fields from tests/builders.py)."""
    fields = domanda(protocol, minutes=minutes, grant_cents=grant_cents)
    d = Domanda(**fields, flags=[Flag(rule=r, detail=f"segnalazione {r}") for r in flags])
    s.add(d)
    return d


def full_marks(bando: Bando, value: str = "0.8", motivazione: str = "Giudizio motivato.") -> dict[str, Mark]:
    return {sub.code: Mark(Decimal(value), motivazione) for sub in bando.subcriteria}


@pytest.fixture
def team(db: Database) -> Iterator[Committee]:
    """Anna presidente, Bruno and Carla componenti, Dario segretario; three applications, nobody declared."""
    built = Builder(db).committee(TEAM).domande(domanda(f"P{i}", minutes=i) for i in (1, 2, 3))
    with db.sessions() as s:
        ids = tuple(s.scalars(select(Domanda.id).order_by(Domanda.id)))
    yield Committee(*(built.members[name] for name, _ in TEAM), domande=ids)


@pytest.fixture
def declared(db: Database, team: Committee) -> Committee:
    """The same committee after every member signed the general declaration."""
    with db.sessions.begin() as s:
        for member_id in (*team.scorers, team.secretary):
            committee.declare_general(s, member_id)
    return team
