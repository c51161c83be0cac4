"""The call's rules: the Milan defaults, and every invalid file named by its wrong key."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from valutazione.bando import Bando, bando_from_json, bando_from_mapping, default_template, load_bando
from valutazione.errors import BandoError


def template() -> dict[str, Any]:
    return tomllib.loads(default_template().read_text(encoding="utf-8"))


def test_milano_defaults(milano: Bando) -> None:
    """The template holds the defaults of docs/regole.md §§ 1, 5 and 7."""
    assert milano.code == "MI3.3.1.e"
    assert milano.budget_cents == 112_810_000
    assert milano.cap_cents == 5_000_000
    assert milano.min_cofinancing_percent == Decimal(10)
    assert milano.deadline.isoformat() == "2018-03-01T12:00:00+01:00"
    assert [z.number for z in milano.zones] == [1, 2, 3, 4]
    assert [(c.code, c.maximum, c.threshold) for c in milano.criteria] == [("A", 35, 14), ("B", 35, 14), ("C", 30, 12)]
    assert [(s.code, s.maximum) for s in milano.subcriteria] == [
        ("A.1", 15),
        ("A.2", 12),
        ("A.3", 8),
        ("B.1", 15),
        ("B.2", 10),
        ("B.3", 10),
        ("C.1", 12),
        ("C.2", 12),
        ("C.3", 6),
    ]
    assert milano.total_threshold == 60 and milano.max_total == 100
    assert milano.quorum == 3 and milano.funding_rule == "parziale"
    assert milano.tie_chain == ("A", "B", "C", "data_invio")
    assert milano.scale_label(Decimal("0.8")) == "buono" and len(milano.scale) == 11


def test_rules_round_trip_through_json(milano: Bando) -> None:
    """The copy kept in the database reloads to exactly the same rules."""
    assert bando_from_json(milano.to_json()) == milano


def test_rounding_half_up_two_places(milano: Bando) -> None:
    """Default rounding: 2 decimals, half-up, on exact values (never floats)."""
    assert milano.round(Decimal("67.665")) == Decimal("67.67")
    assert milano.round(Fraction(203, 3)) == Decimal("67.67")
    assert milano.round(Decimal("12.004999")) == Decimal("12.00")


def _broken(path: list[str | int], value: Any) -> dict[str, Any]:
    data = template()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "key", "words"),
    [
        (["bando", "budget"], "-5", "bando.budget", "negativo"),
        (["bando", "budget"], "molti", "bando.budget", "non valido"),
        (["bando", "contributo_massimo"], "2000000", "bando.contributo_massimo", "budget"),
        (["bando", "cofinanziamento_minimo_percento"], "120", "bando.cofinanziamento_minimo_percento", "percentuale"),
        (["bando", "fuso_orario"], "Marte/Olimpo", "bando.fuso_orario", "sconosciuto"),
        (["bando", "quorum"], 0, "bando.quorum", "compreso"),
        (["criteri", 0, "massimo"], "36", "criteri[0].massimo", "somma dei massimi"),
        (["criteri", 1, "soglia"], "40", "criteri[1].soglia", "supera il massimo"),
        (["criteri", 2, "sottocriteri", 0, "massimo"], "-1", "criteri[2].sottocriteri[0].massimo", "negativo"),
        (["valutazione", "spareggio"], ["A", "D"], "valutazione.spareggio[1]", "non è un criterio"),
        (["valutazione", "soglia_totale"], "101", "valutazione.soglia_totale", "supera"),
        (["valutazione", "regola_finanziamento"], "a caso", "valutazione.regola_finanziamento", "non ammesso"),
        (["valutazione", "riparametrazione"], "terza", "valutazione.riparametrazione", "non ammesso"),
        (
            ["valutazione", "scala"],
            [{"valore": "1.5", "etichetta": "troppo"}],
            "valutazione.scala[0].valore",
            "da 0 a 1",
        ),
        (["valutazione", "budgett"], "1", "valutazione.budgett", "sconosciuta"),
    ],
)
def test_invalid_rules_name_the_key(path: list[str | int], value: Any, key: str, words: str) -> None:
    """Loading validates everything and the message names the wrong key."""
    with pytest.raises(BandoError) as info:
        bando_from_mapping(_broken(path, value), "prova.toml")
    assert info.value.key == key
    assert words in str(info.value) and "prova.toml" in str(info.value)


def test_missing_key_and_bad_syntax(tmp_path: Path) -> None:
    """A missing required key and a TOML syntax error both say where."""
    data = template()
    del data["bando"]["codice"]
    with pytest.raises(BandoError, match="bando.codice.*manca"):
        bando_from_mapping(data)
    bad = tmp_path / "rotto.toml"
    bad.write_text("[bando\ncodice = 1", encoding="utf-8")
    with pytest.raises(BandoError, match="rotto.toml.*TOML non valido"):
        load_bando(bad)
