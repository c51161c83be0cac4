"""Fixtures for the services: a committee of four and a few applications in a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Domanda, Flag
from valutazione.services import committee
from valutazione.services.sheets import Mark


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
    d = Domanda(
        protocol=protocol,
        submitted_at=datetime(2018, 2, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes),
        applicant=f"Ente {protocol}",
        title=f"Progetto {protocol}",
        tax_code="97000000000",
        total_cost_cents=grant_cents * 2,
        grant_cents=grant_cents,
        cofinancing_cents=grant_cents,
        flags=[Flag(rule=r, detail=f"segnalazione {r}") for r in flags],
    )
    s.add(d)
    return d


def full_marks(bando: Bando, value: str = "0.8", motivazione: str = "Giudizio motivato.") -> dict[str, Mark]:
    return {sub.code: Mark(Decimal(value), motivazione) for sub in bando.subcriteria}


@pytest.fixture
def team(db: Database) -> Iterator[Committee]:
    """Anna presidente, Bruno and Carla componenti, Dario segretario; three applications, nobody declared."""
    with db.sessions.begin() as s:
        ids = [
            committee.add_member(s, name, role, "test").id
            for name, role in (
                ("Anna Rossi", "presidente"),
                ("Bruno Verdi", "componente"),
                ("Carla Neri", "componente"),
                ("Dario Bianchi", "segretario"),
            )
        ]
        domande = [add_domanda(s, f"P{i}", minutes=i) for i in (1, 2, 3)]
        s.flush()
        yield_value = Committee(*ids, domande=tuple(d.id for d in domande))
    yield yield_value


@pytest.fixture
def declared(db: Database, team: Committee) -> Committee:
    """The same committee after every member signed the general declaration."""
    with db.sessions.begin() as s:
        for member_id in (*team.scorers, team.secretary):
            committee.declare_general(s, member_id)
    return team
