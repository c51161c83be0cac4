"""Optional thresholds and the precision of the submission-time tie-break (docs/regole.md §§ 7 and 10)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from tests.valutazione.ranking_helpers import MILANO, ROME, candidate, grid_bando, points_marks
from valutazione.bando import bando_from_json, bando_from_mapping, default_template, parse_bando
from valutazione.errors import BandoError
from valutazione.ranking import build_ranking


def template() -> dict[str, Any]:
    return tomllib.loads(default_template().read_text(encoding="utf-8"))


def without_thresholds() -> dict[str, Any]:
    data = template()
    del data["valutazione"]["soglia_totale"]
    for criterion in data["criteri"]:
        del criterion["soglia"]
    return data


def test_thresholds_may_be_left_out() -> None:
    """A call with no total and no criterion threshold loads, and its stored copy reloads the same."""
    bando = bando_from_mapping(without_thresholds(), "senza-soglie.toml")
    assert bando.total_threshold is None
    assert [c.threshold for c in bando.criteria] == [None, None, None]
    assert bando_from_json(bando.to_json()) == bando
    assert json.loads(bando.to_json())["valutazione"]["soglia_totale"] is None


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_threshold_is_no_threshold(empty: str) -> None:
    """An empty text (what a cleared field of the rules editor writes) means no threshold, not an error."""
    data = template()
    data["valutazione"]["soglia_totale"] = empty
    data["criteri"][0]["soglia"] = empty
    bando = bando_from_mapping(data, "vuote.toml")
    assert bando.total_threshold is None and bando.criteria[0].threshold is None
    assert bando.criteria[1].threshold == 14


def test_without_thresholds_every_scored_application_is_ranked() -> None:
    """No threshold: 5 + 5 + 5 = 15 points out of 100 is ranked and funded, never «non ammessa»."""
    bando = bando_from_mapping(without_thresholds(), "senza-soglie.toml")
    grid = grid_bando(total_threshold=bando.total_threshold)
    ranking = build_ranking(grid, [candidate("P1", points_marks({"A": "5", "B": "5", "C": "5"}))])
    row = ranking.rows[0]
    assert (row.position, row.status, row.threshold_failures) == (1, "finanziata", ())
    assert ranking.parameters["thresholds"] == {"A": None, "B": None, "C": None, "totale": None}


def at(hour: int, minute: int, second: int) -> datetime:
    return datetime(2018, 2, 17, hour, minute, second, tzinfo=ROME)


def two_equal(first: datetime, second: datetime) -> list[Any]:
    same = points_marks({"A": "20", "B": "20", "C": "20"})
    return [
        replace(candidate("P1", same), submitted_at=first),
        replace(candidate("P2", same), submitted_at=second),
    ]


def test_same_minute_is_a_tie_with_minute_precision() -> None:
    """«minuto»: P1 at 10:15:40 and P2 at 10:15:05 share the minute 10:15, so they stay tied for the draw."""
    bando = grid_bando(submission_precision="minuto")
    ranking = build_ranking(bando, two_equal(at(10, 15, 40), at(10, 15, 5)))
    assert [r.protocol for r in ranking.rows] == ["P1", "P2"]  # protocol order: display only
    assert [t.protocols for t in ranking.unresolved_ties] == [("P1", "P2")]
    assert not ranking.can_be_final


def test_seconds_decide_with_second_precision() -> None:
    """«secondo»: the same two submissions are ordered 10:15:05 (P2) before 10:15:40 (P1), no draw."""
    bando = grid_bando(submission_precision="secondo")
    ranking = build_ranking(bando, two_equal(at(10, 15, 40), at(10, 15, 5)))
    assert [r.protocol for r in ranking.rows] == ["P2", "P1"]
    assert ranking.unresolved_ties == ()


def test_next_minute_still_comes_after() -> None:
    """«minuto»: 10:15:59 (P2) comes before 10:16:00 (P1): different minutes are ordered as always."""
    bando = grid_bando(submission_precision="minuto")
    ranking = build_ranking(bando, two_equal(at(10, 16, 0), at(10, 15, 59)))
    assert [r.protocol for r in ranking.rows] == ["P2", "P1"]
    assert ranking.unresolved_ties == ()


def test_precision_defaults() -> None:
    """A call file without the key reads «minuto»; rules stored before the key existed read «secondo»."""
    text = default_template().read_text(encoding="utf-8")
    line = 'precisione_invio = "minuto"\n'
    assert line in text
    assert parse_bando(text.replace(line, ""), "b.toml").submission_precision == "minuto"
    assert MILANO.submission_precision == "minuto"
    old = json.loads(MILANO.to_json())
    del old["valutazione"]["precisione_invio"]
    assert bando_from_json(json.dumps(old)).submission_precision == "secondo"
    assert bando_from_json(MILANO.to_json()) == MILANO


def test_a_wrong_precision_names_the_key() -> None:
    """Only «minuto» and «secondo» are accepted, and the message names the key."""
    data = template()
    data["valutazione"]["precisione_invio"] = "ora"
    with pytest.raises(BandoError) as info:
        bando_from_mapping(data, "prova.toml")
    assert info.value.key == "valutazione.precisione_invio"
    assert "minuto, secondo" in str(info.value)
