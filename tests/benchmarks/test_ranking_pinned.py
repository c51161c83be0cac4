"""The ranking of a generated call stays exactly what it was before the ranking was made faster.

The pins below were taken with the code before issue 20's optimisation of the loader and the engine
(services/ranking._inputs, ranking/engine._score, scoring.SubScorer, ranking/warnings): the fingerprint,
and a digest of everything the fingerprint does not cover (warnings with their texts, reasons, the
version's inputs record, the stored JSON shape). The marks are also checked against the file read with
plain ``sqlite3``, independently of the service's queries.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import benchmarks.generate as generate
from valutazione.db import open_database
from valutazione.ranking.status import RankingStatus
from valutazione.services import ranking

SPEC = generate.Spec(240, 5, seed=20)
PINNED_FINGERPRINT = "5b45c25c040a21b6898118f1c00e73a863ca3bfffe20255173832be66fa68711"
# The inputs record carries the pairwise comparisons since stored schema 4: re-pinned with the code before the
# optimisation at that schema (2150dc4), which gives this same value.
PINNED_DETAILS = "11b12d5765a71afd535076231ba1d6b0853d48464d2886fbd904f730dd027b91"


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    old = generate.CACHE
    generate.CACHE = cache
    try:
        return generate.generate(SPEC)
    finally:
        generate.CACHE = old


def _details(computed: ranking.Computed) -> str:
    content = {
        "to_dict": computed.ranking.to_dict(),
        "warnings": computed.warnings,
        "reasons": list(computed.reasons),
        "undecided": list(computed.undecided),
        "inputs": computed.inputs,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_generated_ranking_keeps_its_pinned_fingerprint_and_details(ready: Path) -> None:
    """Same fingerprint, warnings, reasons and inputs record as the code before the optimisation."""
    db = open_database(ready, read_only=True)
    try:
        with db.sessions() as s:
            computed = ranking.compute(s)
    finally:
        db.close()
    statuses = {r.status for r in computed.ranking.rows}
    assert {RankingStatus.EXCLUDED, RankingStatus.NOT_ADMITTED, RankingStatus.FUNDED} <= statuses
    assert computed.ranking.warnings
    assert computed.fingerprint() == PINNED_FINGERPRINT
    assert _details(computed) == PINNED_DETAILS


def test_marks_in_the_ranking_are_the_submitted_marks_of_members_not_in_conflict(ready: Path) -> None:
    """Every sub-score holds exactly the file's submitted marks of members not in conflict, and their mean."""
    con = sqlite3.connect(f"file:{ready}?mode=ro", uri=True)
    try:
        conflicts = set(con.execute("SELECT commissario_id, domanda_id FROM conflitto WHERE has_conflict"))
        expected: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
        query = (
            "SELECT d.protocol, c.name, c.id, d.id, v.sub_code, v.value FROM voto v "
            "JOIN scheda s ON s.id = v.scheda_id JOIN domanda d ON d.id = s.domanda_id "
            "JOIN commissario c ON c.id = s.commissario_id "
            "WHERE s.state = 'inviata' AND v.value IS NOT NULL AND c.role IN ('presidente', 'componente')"
        )
        for protocol, name, mid, did, code, value in con.execute(query):
            if (mid, did) not in conflicts:
                expected.setdefault((protocol, code), []).append((name, Decimal(value)))
    finally:
        con.close()
    db = open_database(ready, read_only=True)
    try:
        with db.sessions() as s:
            rows = ranking.compute(s).ranking.rows
    finally:
        db.close()
    seen = 0
    for row in rows:
        for sub in row.subscores:
            marks = sorted(expected.get((row.protocol, sub.code), []))
            assert list(sub.coefficients) == marks, (row.protocol, sub.code)
            if marks:
                assert sub.mean == sum((Fraction(v) for _, v in marks), Fraction(0)) / len(marks)
            seen += len(marks)
    assert seen == sum(len(v) for v in expected.values()) > 0
