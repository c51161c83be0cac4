"""Synthetic applications and rankings for the document tests, built through the real engine."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from valutazione.bando import Bando
from valutazione.ranking import Candidate, build_ranking
from valutazione.ranking.records import Ranking

MEMBERS = ("Laura Fumagalli", "Marco Brambilla", "Giulia Colombo")
BODIES = ("Associazione", "Cooperativa sociale", "Fondazione", "APS", "ODV", "Impresa sociale")
WORDS = (
    "Orti",
    "Quartiere",
    "Cucine",
    "Laboratori",
    "Ciclofficina",
    "Biblioteca",
    "Doposcuola",
    "Mercato",
    "Sartoria",
    "Radio",
    "Teatro",
    "Custodi",
    "Ponti",
    "Cortili",
    "Mestieri",
)
ZONES = ("Giambellino", "Corvetto", "San Siro", "Niguarda", "Bovisa", "Lorenteggio", "Dergano")


def tax_code(i: int) -> str:
    """An 11-digit body tax code (not checked for the control digit: only the shape matters here)."""
    return f"{97000000000 + i * 7919:011d}"


def candidates(bando: Bando, n: int, seed: int = 7) -> list[Candidate]:
    rng = random.Random(seed)
    scale = [s.value for s in bando.scale if s.value >= Decimal("0.3")]
    start = datetime(2018, 2, 1, 9, 0, tzinfo=UTC)
    out = []
    for i in range(1, n + 1):
        base = 2 if i % 7 == 0 else rng.randint(5, 9)
        marks = {
            m: {
                s.code: scale[max(0, min(len(scale) - 1, len(scale) - base + rng.randint(-1, 1)))]
                for s in bando.subcriteria
            }
            for m in MEMBERS
        }
        out.append(
            Candidate(
                protocol=f"PG-{i:05d}",
                applicant=f"{rng.choice(BODIES)} {rng.choice(WORDS)} & Co. n. {i}",
                tax_code=tax_code(i),
                title=f"{rng.choice(WORDS)} in rete a {rng.choice(ZONES)}: innovazione sociale n. {i}",
                submitted_at=start + timedelta(minutes=17 * i),
                requested_cents=rng.choice([4_500_000, 4_200_000, 5_000_000, 3_800_000, 6_000_000]),
                marks=marks,
                expected_scorers=3,
                excluded=(i % 23 == 0),
            )
        )
    return out


def ranking(bando: Bando, n: int, seed: int = 7) -> Ranking:
    return build_ranking(bando, candidates(bando, n, seed))
