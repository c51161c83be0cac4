"""Pairwise comparisons entered by members: stored per pair, logged, read by the ranking once complete."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builders import Builder, domanda, new_file
from tests.valutazione.services.conftest import TEAM, full_marks
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.pairwise import Comparison
from valutazione.services import committee, conflicts, ranking, sheets
from valutazione.services.pairwise_entry import all_comparisons, own_sheet, pairwise_subcriteria, save_comparisons


def cmp(a: str, b: str, preferred: str | None, degree: str) -> Comparison:
    return Comparison(a, b, preferred, Decimal(degree))


@pytest.fixture
def pairwise_db(tmp_path: Path, milano: Bando) -> Iterator[tuple[Database, dict[str, int]]]:
    """Criterion A by pairwise comparison (variant «somma»); three applications; everyone declared."""
    bando = dataclasses.replace(
        milano, criteria=(dataclasses.replace(milano.criteria[0], pairwise="somma"), *milano.criteria[1:])
    )
    db = new_file(tmp_path / "coppie.valutazione", bando)
    built = Builder(db).committee(TEAM).domande(domanda(f"P{i}", minutes=i) for i in (1, 2, 3))
    with db.sessions.begin() as s:
        for name, _role in TEAM:
            committee.declare_general(s, built.members[name])
    yield db, dict(built.members)
    db.close()


FULL = [cmp("P1", "P2", "P1", "3"), cmp("P1", "P3", "P1", "5"), cmp("P2", "P3", None, "1")]


def test_saved_comparisons_reach_the_ranking_once_complete(pairwise_db: tuple[Database, dict[str, int]]) -> None:
    """An incomplete set is kept as a draft and left out of the ranking; the complete set gives the
    coefficients of docs/regole.md § 6 (sums 8, 1, 1 → 1, 1/8, 1/8); each save is logged."""
    db, members = pairwise_db
    anna = members["Anna Rossi"]
    bando = db.bando()
    assert [s.code for s in pairwise_subcriteria(bando)] == ["A.1", "A.2", "A.3"]
    with db.sessions.begin() as s:
        sheet = save_comparisons(s, bando, anna, "A.1", FULL[:2])
    assert sheet.protocols == ("P1", "P2", "P3") and sheet.pairs == 3 and not sheet.complete
    with db.sessions() as s:
        assert all_comparisons(s, bando)["A.1"] == {}
    with db.sessions.begin() as s:
        sheet = save_comparisons(s, bando, anna, "A.1", list(reversed(FULL)))
    assert sheet.complete
    with db.sessions() as s:
        assert own_sheet(s, bando, anna, "A.1").comparisons == sheet.comparisons
        assert sorted(all_comparisons(s, bando)["A.1"]["Anna Rossi"], key=lambda c: (c.a, c.b)) == FULL
        row = ranking.compute(s).ranking.row("P2")
        assert row.subscore("A.1").mean == Fraction(1, 8)
        logged = s.scalars(select(AuditRow).where(AuditRow.action == "confronto.salvato")).all()
        assert len(logged) == 2 and "P1 / P2" in logged[-1].after_json


@pytest.mark.parametrize(
    ("comparisons", "message"),
    [
        ([cmp("P1", "P2", "P1", "7")], "va da 1 a 6"),
        ([cmp("P1", "P2", None, "2")], "parità"),
        ([cmp("P1", "P9", "P1", "2")], "P9 non è tra quelle da valutare"),
        ([cmp("P1", "P2", "P1", "2"), cmp("P2", "P1", "P2", "3")], "più di una volta"),
    ],
)
def test_bad_comparisons_refused(
    pairwise_db: tuple[Database, dict[str, int]], comparisons: list[Comparison], message: str
) -> None:
    """Out-of-scale degrees, a parity with a degree, a foreign application or a repeated pair are refused."""
    db, members = pairwise_db
    with pytest.raises(RuleViolation, match=message), db.sessions.begin() as s:
        save_comparisons(s, db.bando(), members["Anna Rossi"], "A.1", comparisons)


def test_conflict_removes_the_application_and_sheets_skip_pairwise(
    pairwise_db: tuple[Database, dict[str, int]],
) -> None:
    """A member in conflict does not compare that application; the sheet asks no mark for pairwise sub-criteria."""
    db, members = pairwise_db
    bruno = members["Bruno Verdi"]
    with db.sessions.begin() as s:
        p3 = next(d.id for d in conflicts.assigned_domande(s, bruno) if d.protocol == "P3")
        conflicts.declare(s, bruno, p3, True, "Parente")
        assert own_sheet(s, db.bando(), bruno, "A.2").protocols == ("P1", "P2")
        save_comparisons(s, db.bando(), bruno, "A.2", [cmp("P1", "P2", "P2", "2")])
        assert all_comparisons(s, db.bando())["A.2"] == {"Bruno Verdi": [cmp("P1", "P2", "P2", "2")]}
    marks = {k: v for k, v in full_marks(db.bando()).items() if not k.startswith("A.")}
    assert sheets.missing_marks(db.bando(), marks) == []
