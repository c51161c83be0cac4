"""A call scoring criterion A by pairwise comparison, with three applications, scored and ready to rank."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from tests.builders import MEMBERS, Builder, domanda, new_file, steady_marks
from valutazione.bando import Bando
from valutazione.pairwise import Comparison
from valutazione.services import committee, lookup
from valutazione.services.pairwise_entry import pairwise_subcriteria, save_comparisons
from valutazione.services.sheets import Mark

PROTOCOLS = ("P1", "P2", "P3")


def pairwise_bando(milano: Bando) -> Bando:
    return dataclasses.replace(
        milano, criteria=(dataclasses.replace(milano.criteria[0], pairwise="somma"), *milano.criteria[1:])
    )


def comparisons(member: str) -> list[Comparison]:
    """A complete, member-dependent set over P1, P2, P3."""
    first = "P1" if member < "C" else "P2"
    return [
        Comparison("P1", "P2", first, Decimal(3)),
        Comparison("P1", "P3", "P1", Decimal(5)),
        Comparison("P2", "P3", None, Decimal(1)),
    ]


def pairwise_file(path: Path, milano: Bando, *, compare: bool = True) -> Path:
    """Applications admitted, sheets submitted (marks on the other criteria), every scorer's comparisons
    saved on every pairwise sub-criterion when ``compare``; the file is closed on return."""
    bando = pairwise_bando(milano)
    db = new_file(path, bando)
    try:
        b = Builder(db).domande(domanda(p, minutes=i) for i, p in enumerate(PROTOCOLS, start=1)).committee(MEMBERS)
        b.declare().admit_all()

        def marks(bando: Bando, member: str, protocol: str) -> dict[str, Mark]:
            pairwise = {sub.code for sub in pairwise_subcriteria(bando)}
            return {k: v for k, v in steady_marks(bando, member, protocol).items() if k not in pairwise}

        b.drafts(marks, submit=True)
        if compare:
            with db.sessions.begin() as s:
                for m in committee.scoring_members(s):
                    for sub in pairwise_subcriteria(lookup.rules(s)):
                        save_comparisons(s, lookup.rules(s), m.id, sub.code, comparisons(m.name))
    finally:
        db.close()
    return path
