"""Lots, quotas, project types and the unused-money rule in the call file: loaded, stored, and every
wrong key named in Italian (docs/regole.md § 1 and § 19)."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from valutazione.bando import bando_from_json, bando_from_mapping, default_template
from valutazione.errors import BandoError


def with_lots(**evaluation: Any) -> dict[str, Any]:
    """The Milan template divided into two lots (€ 628.100 + € 500.000 = its € 1.128.100)."""
    data = tomllib.loads(default_template().read_text(encoding="utf-8"))
    data["lotti"] = [
        {"codice": "L1", "nome": "Zone 1 e 2", "budget": "628100.00", "contributo_massimo": "50000"},
        {"codice": "L2", "nome": "Zone 3 e 4", "budget": "€ 500.000,00", "soglie": {"A": "20"}},
    ]
    data["quote_riservate"] = [
        {"codice": "GIO", "nome": "Giovani", "lotto": "L2", "percentuale": "20", "proprieta": "giovani"}
    ]
    data["tipi_progetto"] = [
        {"codice": "multi", "nome": "Più zone", "contributo_massimo": "50000", "alias": ["multi-area"]}
    ]
    data["valutazione"].update({"max_finanziate_per_richiedente": 1, "residui": "lotto:L1", **evaluation})
    return data


def test_lots_load_and_round_trip() -> None:
    """Lots with budgets as text or in euro notation, a quota, a type: loaded, and reloaded the same from JSON."""
    bando = bando_from_mapping(with_lots(), "lotti.toml")
    rules = bando.lots
    assert [(lot.code, lot.budget_cents, lot.cap_cents) for lot in rules.lots] == [
        ("L1", 62_810_000, 5_000_000),
        ("L2", 50_000_000, 5_000_000),
    ]
    assert rules.lots[1].thresholds[0][0] == "A" and str(rules.lots[1].thresholds[0][1]) == "20"
    assert rules.quotas[0].reserved_cents(50_000_000) == 10_000_000
    assert rules.project_type("Multi-Area") == rules.project_types[0]
    assert rules.find_lot("zone 3  e 4") == rules.lots[1]
    assert (rules.max_funded_per_applicant, rules.residual_lot) == (1, "L1")
    assert bando_from_json(bando.to_json()) == bando


def test_a_single_budget_call_stores_no_lot_keys() -> None:
    """A call without lots writes none of the new keys: its stored rules stay as they were."""
    data = tomllib.loads(default_template().read_text(encoding="utf-8"))
    stored = json.loads(bando_from_mapping(data, "b.toml").to_json())
    assert not {"lotti", "quote_riservate", "tipi_progetto"} & stored.keys()
    assert not {"residui", "max_finanziate_per_richiedente"} & stored["valutazione"].keys()


def _set(data: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "key", "words"),
    [
        (["lotti", 0, "budget"], "600000", "lotti", "somma dei budget"),
        (["lotti", 0, "budget"], "molti", "lotti[0].budget", "non valido"),
        (["lotti", 1, "budget"], "€ tanti", "lotti[1].budget", "importo non valido"),
        (["lotti", 0, "contributo_massimo"], "700000", "lotti[0].contributo_massimo", "budget del lotto"),
        (["lotti", 1, "codice"], "L1", "lotti", "codici ripetuti"),
        (["lotti", 0, "nome"], None, "lotti[0].nome", "manca"),
        (["lotti", 1, "soglie"], {"Z": "3"}, "lotti[1].soglie.Z", "non è un criterio"),
        (["lotti", 0, "budjet"], "1", "lotti[0].budjet", "sconosciuta"),
        (["lotti", 1, "criteri"], [{"codice": "A", "massimo": "50"}], "lotti[1].criteri", "«L2» non può avere"),
        (["lotti", 0, "griglia"], "propria", "lotti[0].griglia", "criteri del bando"),
        (
            ["lotti", 0, "cofinanziamento_minimo_percento"],
            "120",
            "lotti[0].cofinanziamento_minimo_percento",
            "percentuale",
        ),
        (["quote_riservate", 0, "lotto"], "L9", "quote_riservate[0].lotto", "non è un lotto"),
        (["quote_riservate", 0, "lotto"], None, "quote_riservate[0].lotto", "indica il lotto"),
        (["quote_riservate", 0, "percentuale"], "0", "quote_riservate[0].percentuale", "maggiore di 0"),
        (["quote_riservate", 0, "importo"], "1000", "quote_riservate[0].percentuale", "uno dei due"),
        (["quote_riservate", 0, "proprieta"], None, "quote_riservate[0].proprieta", "manca"),
        (
            ["tipi_progetto", 0, "contributo_massimo"],
            "90000",
            "tipi_progetto[0].contributo_massimo",
            "contributo massimo del bando",
        ),
        (["valutazione", "residui"], "lotto:L7", "valutazione.residui", "non ammesso"),
        (["valutazione", "residui"], "a tutti", "valutazione.residui", "pro_rata"),
        (
            ["valutazione", "max_finanziate_per_richiedente"],
            0,
            "valutazione.max_finanziate_per_richiedente",
            "compreso",
        ),
    ],
)
def test_broken_lot_keys_are_named(path: list[str | int], value: Any, key: str, words: str) -> None:
    """Every wrong lot, quota, type or unused-money key is refused with its dotted key and an Italian reason."""
    with pytest.raises(BandoError) as info:
        bando_from_mapping(_set(with_lots(), path, value), "lotti.toml")
    assert info.value.key == key, str(info.value)
    assert words in str(info.value)


def test_residual_rule_needs_lots() -> None:
    """A rule for unused money makes sense only between lots: a single-budget call with one is refused."""
    data = tomllib.loads(default_template().read_text(encoding="utf-8"))
    data["valutazione"]["residui"] = "pro_rata"
    with pytest.raises(BandoError, match="valutazione.residui.*lotti"):
        bando_from_mapping(data, "b.toml")
