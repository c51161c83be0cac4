"""Stored approved versions, schema 3: each row's lot, the lots' summaries and the redistribution; schema 2
files from the field still read by the one reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.valutazione.ranking_helpers import sample_inputs
from tests.valutazione.test_lots import K, app, lots_bando
from valutazione.bando import bando_from_stored
from valutazione.ranking import build_ranking
from valutazione.ranking.stored import inputs_json, read_version, stored_row, version_json

SCHEMA2 = Path(__file__).parent / "fixtures" / "ranking-version-schema2.json"
PINNED = "35c9ac248eb66a67d9e63c581dfa9b4b3c497a0d626d99a82a6da40b65a406db"


def test_schema2_version_is_read_and_reproduced() -> None:
    """A schema-2 version (written before lots and before «precisione_invio») reads into the rows the engine
    computes today, has no lots, and its stored rules reproduce its fingerprint."""
    stored = read_version(SCHEMA2.read_text(encoding="utf-8"))
    bando, candidates = sample_inputs()
    ranking = build_ranking(bando, candidates)
    assert stored.schema_version == 2 and stored.fingerprint == PINNED
    assert stored.rows == tuple(stored_row(r) for r in ranking.rows)
    assert (stored.lots, stored.redistribution) == ((), None)
    assert stored.inputs is not None
    rules = bando_from_stored(stored.inputs.rules, "versione 2")
    assert rules.submission_precision == "secondo"
    marks = {c.protocol: c.marks for c in candidates}
    again = [c.candidate(marks[c.protocol]) for c in stored.inputs.candidates]
    assert build_ranking(rules, again, stored.inputs.draws).fingerprint() == PINNED


def test_schema3_keeps_lots_and_redistribution() -> None:
    """Lot per row, the lots' money and the redistribution survive the writer and the one reader; the
    candidates' lot, type and properties are in the inputs, so the version can be recomputed."""
    bando = lots_bando([("A", 100), ("B", 60)], cap=50 * K, residual_rule="lotto:A")
    pool = [
        app("A1", "A", 30, 50),
        app("A2", "A", 25, 50, properties=frozenset({"giovani"})),
        app("A3", "A", 20, 20),
        app("B1", "B", 30, 40),
    ]
    ranking = build_ranking(bando, pool)
    text = version_json(
        ranking,
        state="definitiva",
        version=1,
        approved_at=datetime(2024, 5, 2, 10, 0, tzinfo=UTC),
        warnings=ranking.warnings,
        reasons=ranking.reasons,
        inputs=inputs_json(bando.to_mapping(), pool, {}, {}),
    )
    stored = read_version(text)
    assert stored.schema_version >= 3  # lots since schema 3, still written by the later schemas
    assert stored.rows == tuple(stored_row(r) for r in ranking.rows)
    assert [(r.protocol, r.lot, r.funding_note) for r in stored.rows][2] == ("A3", "A", "residui")
    assert stored.lots == ranking.lots and stored.redistribution == ranking.redistribution
    assert stored.inputs is not None
    again = [c.candidate({}) for c in stored.inputs.candidates]
    assert [(c.lot, c.properties) for c in again] == [(c.lot, c.properties) for c in pool]
    assert "lots" not in json.loads(text)["rows"][0] and json.loads(text)["rows"][0]["lot"] == "A"
