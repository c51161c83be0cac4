"""The stored approved version: one writer, one reader, schema 1 files from the field, a fixed fingerprint.

``fixtures/ranking-version-schema1.json`` was written by the code before the ranking package (commit
d17ea2b, ``services.graduatoria.approve``) from ``ranking_helpers.sample_inputs()``: it is a version as
files already in the field hold it, and it carries the fingerprint that code computed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.valutazione.ranking_helpers import sample_inputs
from tests.valutazione.reports.pdftools import text_of
from valutazione.bando import bando_from_mapping
from valutazione.db import create_database
from valutazione.models import GraduatoriaVersion
from valutazione.projects.grants import final_grants
from valutazione.projects.rules import MonitoringRules
from valutazione.ranking import RankingStatus, build_ranking
from valutazione.ranking.stored import (
    SCHEMA_VERSION,
    StoredVersionError,
    read_version,
    stored_row,
    version_json,
)
from valutazione.reports.graduatoria import build_graduatoria_pdf
from valutazione.reports.ranking_view import from_version
from valutazione.services import ranking as ranking_service

FIXTURE = Path(__file__).parent / "fixtures" / "ranking-version-schema1.json"
PINNED = "35c9ac248eb66a67d9e63c581dfa9b4b3c497a0d626d99a82a6da40b65a406db"


def _old() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _new_json() -> str:
    bando, candidates = sample_inputs()
    g = build_ranking(bando, candidates)
    return version_json(
        g,
        state="provvisoria",
        version=1,
        approved_at=datetime(2018, 4, 16, 9, 45, tzinfo=UTC),
        warnings=g.warnings,
        reasons=g.reasons,
        inputs=_old()["inputs"],
    )


def test_fingerprint_of_the_same_inputs_is_unchanged_by_the_move() -> None:
    """Same inputs, same fingerprint as the code before the ranking package computed and stored."""
    bando, candidates = sample_inputs()
    assert build_ranking(bando, candidates).fingerprint() == _old()["fingerprint"] == PINNED
    assert build_ranking(bando, list(reversed(candidates))).fingerprint() == PINNED


def test_schema1_version_is_read_by_the_one_reader() -> None:
    """A version stored before schema_version existed reads into the same rows the engine computes."""
    bando, candidates = sample_inputs()
    g = build_ranking(bando, candidates)
    old = read_version(FIXTURE.read_text(encoding="utf-8"))
    assert old.schema_version == 1
    assert (old.state, old.version, old.fingerprint) == ("provvisoria", 1, PINNED)
    assert old.rows == tuple(stored_row(r) for r in g.rows)
    assert {r.status for r in old.rows} == set(RankingStatus)
    assert (old.budget_cents, old.allocated_cents, old.funding_line) == (15_000_000, 15_000_000, g.funding_line)
    assert [w.message for w in old.warnings] == [w.message for w in g.warnings]
    # Rules stored before the call's monitoring table existed read back with none: it never enters a ranking.
    assert old.inputs is not None
    assert bando_from_mapping(old.inputs.rules, "prova") == replace(bando, monitoring=MonitoringRules())
    marks = {c.protocol: c.marks for c in candidates}
    again = [c.candidate(marks[c.protocol]) for c in old.inputs.candidates]
    assert again == candidates
    assert build_ranking(bando, again, old.inputs.draws).fingerprint() == PINNED


def test_the_writer_keeps_every_field_of_schema1_and_adds_its_number() -> None:
    """The writer's JSON: schema_version 4, and every key a schema-1 reader looked for, with the same values."""
    new = json.loads(_new_json())
    old = _old()
    assert new["schema_version"] == SCHEMA_VERSION == 4
    assert set(new) - set(old) == {"schema_version"}
    assert new["rows"] == old["rows"]
    assert {k: new[k] for k in old if k != "warnings"} == {k: v for k, v in old.items() if k != "warnings"}
    assert read_version(new).rows == read_version(old).rows


def test_a_version_from_a_newer_program_is_refused() -> None:
    """A schema newer than this program's is refused with an Italian message, never half-read."""
    data = json.loads(_new_json())
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(StoredVersionError, match="aggiornare il programma"):
        read_version(json.dumps(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["rows"][0].pop("status"), "manca il campo «status»"),
        (lambda d: d["rows"][0].update(status="vinta"), "esito «vinta» non previsto"),
        (lambda d: d["rows"][1].update(grant="molti"), "danneggiata"),
    ],
)
def test_a_damaged_version_is_refused_naming_what_is_wrong(damage: Any, message: str) -> None:
    """A stored row without its outcome, with an unknown one or a bad amount: a clear error, no guess."""
    data = _old()
    damage(data)
    with pytest.raises(StoredVersionError, match=message):
        read_version(json.dumps(data))


def test_a_file_holding_a_schema1_version_prints_and_funds_from_it(tmp_path: Path) -> None:
    """A real file with a version written the old way: its PDF and the finance figures come from it."""
    bando, _ = sample_inputs()
    db = create_database(tmp_path / "vecchio.valutazione", bando)
    try:
        with db.sessions.begin() as s:
            s.add(
                GraduatoriaVersion(
                    version=1,
                    state="definitiva",
                    approved_at=datetime(2018, 4, 16, 9, 45, tzinfo=UTC),
                    approved_by="Laura Fumagalli",
                    reason="",
                    fingerprint=PINNED,
                    content_json=FIXTURE.read_text(encoding="utf-8"),
                )
            )
        with db.sessions() as s:
            version = ranking_service.latest(s)
            assert version is not None and ranking_service.stored(version).schema_version == 1
            # Printed straight from the stored version: its seal would fail here (its sheets are not in this
            # file), and that refusal is the seals' business, tested in tests/valutazione/seals.
            text = " ".join(text_of(build_graduatoria_pdf(from_version(version, bando), bando)).split())
            number, grants = final_grants(s)
    finally:
        db.close()
    assert "Versione 1, approvata" in text and PINNED in text
    for label in (RankingStatus.PARTIALLY_FUNDED.short, RankingStatus.NOT_SCORED.label):
        assert label in text
    assert number == 1
    assert grants == {"PG 004": 4_040_000, "PG 002": 4_020_000, "PG 007": 4_500_000, "PG 008": 2_440_000}
