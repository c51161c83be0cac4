"""The ranking (docs/regole.md §§ 7-13): thresholds on raw points, re-scaling, ties, draws, funding line, sliding."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from tests.valutazione.ranking_helpers import MILANO, candidate, grid_bando, points_marks, uniform_marks
from valutazione.bando import Bando
from valutazione.errors import RuleViolation
from valutazione.ranking import Candidate, ThresholdFailure, build_ranking, rescale, slide

K = 100_000  # € 1.000 in cents


def twelve_or_more(bando: Bando, count: int, requested: int = 100 * K) -> list[Candidate]:
    """Equal marks, submissions an hour apart: the tie chain's submission time sets the order."""
    return [
        candidate(f"P{i:02}", uniform_marks(bando, "0.8"), hours=i, requested_cents=requested)
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("rule", "last_status", "last_grant", "allocated", "line"),
    [
        ("parziale", "finanziata_parzialmente", 28_100_00, 1_128_100_00, 12),
        ("rigida", "ammessa_non_finanziata", 0, 1_100_000_00, 11),
        ("salta", "ammessa_non_finanziata", 0, 1_100_000_00, 11),
    ],
)
def test_domain_funding_example(rule: str, last_status: str, last_grant: int, allocated: int, line: int) -> None:
    """€ 1.128.100 and twelve asking € 100.000: eleven funded (€ 1.100.000), the twelfth € 28.100 if parziale."""
    bando = replace(MILANO, cap_cents=100 * K, funding_rule=rule)
    ranking = build_ranking(bando, twelve_or_more(bando, 12))
    assert [r.status for r in ranking.rows[:11]] == ["finanziata"] * 11
    assert sum(r.grant_cents for r in ranking.rows[:11]) == 1_100_000_00
    assert (ranking.rows[11].status, ranking.rows[11].grant_cents) == (last_status, last_grant)
    assert ranking.allocated_cents == allocated
    assert ranking.remaining_cents == 1_128_100_00 - allocated
    assert ranking.funding_line == line
    assert ranking.to_dict()["rows"][11]["grant"] == ("28100.00" if rule == "parziale" else "0.00")


@pytest.mark.parametrize(
    ("rule", "grants"),
    [("parziale", [60 * K, 40 * K, 0]), ("rigida", [60 * K, 0, 0]), ("salta", [60 * K, 0, 30 * K])],
)
def test_salta_goes_past_an_application_that_does_not_fit(rule: str, grants: list[int]) -> None:
    """Budget € 100.000 for asks 60k·50k·30k in that order: only salta reaches the third."""
    bando = grid_bando(budget_cents=100 * K, cap_cents=100 * K, funding_rule=rule)
    asks = [("P1", "30", 60), ("P2", "20", 50), ("P3", "10", 30)]
    pool = [candidate(p, points_marks({"A": a, "B": "0", "C": "0"}), requested_cents=r * K) for p, a, r in asks]
    ranking = build_ranking(bando, pool)
    assert [r.grant_cents for r in ranking.rows] == grants


@pytest.mark.parametrize(
    ("values", "maximum", "expected"),
    [
        (["60", "58", "45", "51"], "70", ["70.00", "67.67", "52.50", "59.50"]),
        (["10", "5"], "35", ["35.00", "17.50"]),
        (["0", "0"], "30", ["0", "0"]),
        (["12.5"], "30", ["30.00"]),
    ],
)
def test_rescale(values: list[str], maximum: str, expected: list[str]) -> None:
    """Riparametrazione: the best gets the maximum, the others points × max / best, rounded by the call."""
    result = rescale({str(i): Decimal(v) for i, v in enumerate(values)}, Decimal(maximum), MILANO)
    assert [str(result[str(i)]) for i in range(len(values))] == expected


def test_domain_rescaling_example_in_a_ranking() -> None:
    """DOMAIN §4: 60 · 58 · 45 · 51 out of 70 → 70,00 · 67,67 · 52,50 · 59,50, ranked in that score order."""
    bando = grid_bando({"A": "70"}, rescaling="prima")
    pool = [candidate(p, points_marks({"A": v})) for p, v in [("P1", "60"), ("P2", "58"), ("P3", "45"), ("P4", "51")]]
    ranking = build_ranking(bando, pool)
    assert [(r.protocol, str(r.final("A")), str(r.total_final)) for r in ranking.rows] == [
        ("P1", "70.00", "70.00"),
        ("P2", "67.67", "67.67"),
        ("P4", "59.50", "59.50"),
        ("P3", "52.50", "52.50"),
    ]
    assert ranking.row("P2").total_raw == Decimal("58.00")


@pytest.mark.parametrize(
    ("mode", "p1", "p2"),
    [("nessuna", "75.00", "70.00"), ("prima", "94.00", "86.67"), ("prima_e_seconda", "100.00", "92.20")],
)
def test_first_and_second_rescaling(mode: str, p1: str, p2: str) -> None:
    """First re-scaling per criterion (40 and 60 points), second on the total (100), each rounded."""
    bando = grid_bando({"A": "40", "B": "60"}, rescaling=mode)
    pool = [
        candidate("P1", points_marks({"A": "30", "B": "45"})),
        candidate("P2", points_marks({"A": "20", "B": "50"})),
    ]
    ranking = build_ranking(bando, pool)
    assert (str(ranking.row("P1").total_final), str(ranking.row("P2").total_final)) == (p1, p2)


def test_thresholds_are_checked_on_raw_points_before_rescaling() -> None:
    """Below a threshold on raw points stays non ammessa, although re-scaling would have lifted it."""
    bando = replace(MILANO, rescaling="prima")
    low_c = {m: {s.code: Decimal("1.0" if s.code[0] != "C" else "0.3") for s in bando.subcriteria} for m in "XYZ"}
    passes = {m: {s.code: Decimal("0.8" if s.code[0] != "C" else "0.4") for s in bando.subcriteria} for m in "XYZ"}
    ranking = build_ranking(bando, [candidate("P1", low_c), candidate("P2", passes)])
    p1, p2 = ranking.row("P1"), ranking.row("P2")
    assert p1.threshold_failures == (ThresholdFailure("C", Decimal("9.00"), Decimal("12")),)
    assert (p1.status, p1.position, p1.grant_cents, p1.final("C")) == ("non_ammessa", None, 0, Decimal("9.00"))
    assert (p2.raw("C"), p2.final("C"), p2.status) == (Decimal("12.00"), Decimal("30.00"), "finanziata")
    assert ranking.rows[-1] is p1


@pytest.mark.parametrize(
    ("coefficients", "failures"),
    [
        (("0.6", "0.6", "0.6"), ()),
        (("0.6", "0.6", "0.5"), ("totale",)),
        (("0.4", "0.9", "0.9"), ()),
        (("0.3", "1.0", "1.0"), ("A",)),
        (("0.3", "0.5", "0.5"), ("A", "totale")),
    ],
)
def test_criterion_and_total_thresholds(coefficients: tuple[str, str, str], failures: tuple[str, ...]) -> None:
    """Each criterion ≥ its threshold (A,B ≥ 14, C ≥ 12) and total ≥ 60; reaching it exactly is enough."""
    by_criterion = dict(zip("ABC", coefficients, strict=True))
    marks = {m: {s.code: Decimal(by_criterion[s.code[0]]) for s in MILANO.subcriteria} for m in "XYZ"}
    row = build_ranking(MILANO, [candidate("P1", marks)]).row("P1")
    assert tuple(f.code for f in row.threshold_failures) == failures
    assert row.status == ("non_ammessa" if failures else "finanziata")


@pytest.mark.parametrize(
    ("first", "second", "hours"),
    [
        ({"A": "20", "B": "10", "C": "10", "D": "0"}, {"A": "10", "B": "20", "C": "10", "D": "0"}, (0, 0)),
        ({"A": "10", "B": "20", "C": "10", "D": "0"}, {"A": "10", "B": "10", "C": "20", "D": "0"}, (0, 0)),
        ({"A": "10", "B": "10", "C": "20", "D": "0"}, {"A": "10", "B": "10", "C": "10", "D": "10"}, (0, 0)),
        ({"A": "10", "B": "10", "C": "10", "D": "0"}, {"A": "10", "B": "10", "C": "10", "D": "0"}, (0, 1)),
    ],
)
def test_tie_chain(first: dict[str, str], second: dict[str, str], hours: tuple[int, int]) -> None:
    """Equal totals: higher A, then B, then C, then the earlier submission goes first (the default chain)."""
    bando = grid_bando({"A": "35", "B": "35", "C": "20", "D": "10"}, tie_chain=("A", "B", "C", "data_invio"))
    pool = [candidate("P2", points_marks(first), hours=hours[0]), candidate("P1", points_marks(second), hours=hours[1])]
    ranking = build_ranking(bando, pool)
    assert [r.protocol for r in ranking.rows] == ["P2", "P1"]
    assert ranking.unresolved_ties == ()


def test_tie_chain_is_the_calls() -> None:
    """A call whose chain is only the submission time ignores the criteria when breaking ties."""
    bando = grid_bando(tie_chain=("data_invio",))
    pool = [
        candidate("P1", points_marks({"A": "20", "B": "10", "C": "10"}), hours=1),
        candidate("P2", points_marks({"A": "10", "B": "20", "C": "10"}), hours=0),
    ]
    assert [r.protocol for r in build_ranking(bando, pool).rows] == ["P2", "P1"]


def tied_pool() -> list[Candidate]:
    same = points_marks({"A": "20", "B": "20", "C": "20"})
    return [candidate(p, same) for p in ("P1", "P2", "P3")] + [
        candidate("P0", points_marks({"A": "30", "B": "20", "C": "20"}))
    ]


def test_unresolved_tie_blocks_the_final_ranking() -> None:
    """Still equal after the whole chain and no draw: the tie is flagged and the ranking cannot be final."""
    ranking = build_ranking(grid_bando(), tied_pool())
    assert [(r.protocol, r.tie) for r in ranking.rows] == [("P0", None), ("P1", "T1"), ("P2", "T1"), ("P3", "T1")]
    assert [(t.id, t.protocols) for t in ranking.unresolved_ties] == [("T1", ("P1", "P2", "P3"))]
    assert not ranking.can_be_final
    assert ranking.reasons == ("Parità non risolta tra P1, P2, P3: serve il sorteggio pubblico",)


def test_recorded_draw_resolves_the_tie() -> None:
    """The public draw's order, recorded by the chair, settles exactly that group and is kept in the parameters."""
    draws = {frozenset({"P1", "P2", "P3"}): ("P3", "P1", "P2")}
    ranking = build_ranking(grid_bando(), tied_pool(), draws)
    assert [(r.protocol, r.position, r.tie) for r in ranking.rows] == [
        ("P0", 1, None),
        ("P3", 2, None),
        ("P1", 3, None),
        ("P2", 4, None),
    ]
    assert ranking.can_be_final and ranking.unresolved_ties == ()
    assert ranking.parameters["draws"] == [[["P1", "P2", "P3"], ["P3", "P1", "P2"]]]


def test_draw_for_another_group_does_not_apply() -> None:
    """A draw recorded for a different group (the tie changed) leaves the tie unresolved: draw again."""
    ranking = build_ranking(grid_bando(), tied_pool(), {frozenset({"P1", "P2"}): ("P2", "P1")})
    assert not ranking.can_be_final
    assert ranking.parameters["draws"] == []


@pytest.mark.parametrize("order", [("P1",), ("P1", "P9"), ("P1", "P1")])
def test_malformed_draw_is_refused(order: tuple[str, ...]) -> None:
    """A draw must list exactly the protocols of its group."""
    with pytest.raises(RuleViolation, match="sorteggio"):
        build_ranking(grid_bando(), tied_pool(), {frozenset({"P1", "P2"}): order})


def test_quorum_and_missing_sheets() -> None:
    """Fewer scorers than the quorum, or a sheet missing where one was due: warned, and not final."""
    two = uniform_marks(MILANO, "0.8", ("Rossi", "Verdi"))
    partial = uniform_marks(MILANO, "0.8")
    del partial["Rossi"]["B.2"]
    ranking = build_ranking(MILANO, [candidate("P1", two, expected_scorers=3), candidate("P2", partial)])
    kinds = [(w.kind, w.protocol, w.sub_code, w.member) for w in ranking.warnings if w.kind != "schede_identiche"]
    assert kinds == [
        ("scheda_mancante", "P1", None, None),
        ("quorum", "P1", None, None),
        ("scheda_mancante", "P2", "B.2", "Rossi"),
    ]
    assert not ranking.can_be_final
    assert "Domanda P1: valutata da 2 commissari, meno del quorum di 3" in ranking.reasons
    assert ranking.row("P2").subscore("B.2").members == ("Bianchi", "Verdi")


@pytest.mark.parametrize(("low", "warned"), [("0.5", True), ("0.6", False), ("0.8", False)])
def test_spread_warning(low: str, warned: bool) -> None:
    """Coefficients on one sub-criterion 0,3 or more apart (the call's default) are flagged for discussion."""
    marks = uniform_marks(MILANO, "0.8")
    marks["Rossi"]["A.1"] = Decimal(low)
    ranking = build_ranking(MILANO, [candidate("P1", marks)])
    spreads = [w for w in ranking.warnings if w.kind == "scarto"]
    assert bool(spreads) == warned
    if warned:
        assert spreads[0].sub_code == "A.1"
        assert spreads[0].message == "Domanda P1: valutazioni distanti su A.1 (da 0,5 a 0,8), da discutere"
        assert ranking.can_be_final


@pytest.mark.parametrize(
    ("members", "tweak", "warned"),
    [(("A", "B", "C"), False, True), (("A", "B", "C"), True, False), (("A",), False, False)],
)
def test_identical_sheets_warning(members: tuple[str, ...], tweak: bool, warned: bool) -> None:
    """Every member identical on every sub-criterion (two or more scorers) suggests they did not judge alone."""
    marks = uniform_marks(MILANO, "0.7", members)
    if tweak:
        marks["C"]["C.3"] = Decimal("0.8")
    bando = replace(MILANO, quorum=1)
    ranking = build_ranking(bando, [candidate("P1", marks)])
    assert any(w.kind == "schede_identiche" for w in ranking.warnings) == warned


def test_excluded_and_renounced() -> None:
    """Excluded: esclusa, unranked, no warnings. Renounced: keeps its place, gets nothing, money goes on."""
    bando = replace(MILANO, budget_cents=100 * K, cap_cents=50 * K)
    pool = [
        candidate("P1", uniform_marks(bando, "0.9"), renounced=True),
        candidate("P2", uniform_marks(bando, "0.8")),
        candidate("P3", {}, excluded=True, expected_scorers=3),
        candidate("P4", uniform_marks(bando, "0.7")),
    ]
    ranking = build_ranking(bando, pool)
    assert [(r.protocol, r.position, r.status, r.grant_cents) for r in ranking.rows] == [
        ("P1", 1, "rinunciataria", 0),
        ("P2", 2, "finanziata", 50 * K),
        ("P4", 3, "finanziata", 50 * K),
        ("P3", None, "esclusa", 0),
    ]
    assert all(w.protocol != "P3" for w in ranking.warnings)


def test_slide_moves_money_down_the_list() -> None:
    """Scorrimento: a funded project renounces; positions and points stay, the freed money goes down."""
    bando = replace(MILANO, cap_cents=100 * K)
    pool = twelve_or_more(bando, 13)
    before = build_ranking(bando, pool)
    assert [r.status for r in before.rows[10:]] == ["finanziata", "finanziata_parzialmente", "ammessa_non_finanziata"]
    after = slide(bando, pool, ["P03"])
    assert after.row("P03").status == "rinunciataria" and after.row("P03").grant_cents == 0
    assert [(r.status, r.grant_cents) for r in after.rows[11:]] == [
        ("finanziata", 100 * K),
        ("finanziata_parzialmente", 28_100_00),
    ]
    assert [(r.protocol, r.position, r.total_final) for r in after.rows] == [
        (r.protocol, r.position, r.total_final) for r in before.rows
    ]
    with pytest.raises(RuleViolation, match="P99"):
        slide(bando, pool, ["P99"])


def test_rescaling_keeps_renounced_in_its_pool() -> None:
    """Sliding never changes points: a renounced best application still sets the re-scaling base."""
    bando = grid_bando({"A": "70"}, rescaling="prima")
    pool = [candidate("P1", points_marks({"A": "60"})), candidate("P2", points_marks({"A": "45"}))]
    assert slide(bando, pool, ["P1"]).row("P2").final("A") == Decimal("52.50")


def test_to_dict_shape() -> None:
    """The stored JSON: money and points as decimal strings, criteria by code plus total."""
    bando = replace(MILANO, cap_cents=100 * K)
    data = build_ranking(bando, twelve_or_more(bando, 12)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {k: data[k] for k in ("bando", "budget", "allocated", "remaining")} == {
        "bando": "MI3.3.1.e",
        "budget": "1128100.00",
        "allocated": "1128100.00",
        "remaining": "0.00",
    }
    assert data["rows"][11] == {
        "position": 12,
        "protocol": "P12",
        "applicant": "Associazione P12",
        "tax_code": "97000000000",
        "title": "Progetto P12",
        "points": {"A": "28.00", "B": "28.00", "C": "24.00", "total": "80.00"},
        "status": "finanziata_parzialmente",
        "grant": "28100.00",
        "tie": None,
    }
    assert data["warnings"][0]["kind"] == "schede_identiche"


def test_fingerprint_is_reproducible() -> None:
    """Same inputs give the same fingerprint in any order and spelling; any change of a mark changes it."""
    pool = tied_pool()
    fingerprint = build_ranking(grid_bando(), pool).fingerprint()
    assert len(fingerprint) == 64
    assert build_ranking(grid_bando(), reversed(pool)).fingerprint() == fingerprint
    respelled = replace(pool[0], marks=points_marks({"A": "20.0", "B": "20.00", "C": "20"}))
    assert build_ranking(grid_bando(), [respelled, *pool[1:]]).fingerprint() == fingerprint
    changed = replace(pool[0], marks=points_marks({"A": "20", "B": "20", "C": "19.5"}))
    assert build_ranking(grid_bando(), [changed, *pool[1:]]).fingerprint() != fingerprint


def test_parameters_name_the_rules_used() -> None:
    """The ranking carries the rules it was computed with: thresholds, re-scaling, rounding, ties, funding."""
    parameters = build_ranking(MILANO, []).parameters
    assert parameters["thresholds"] == {"A": "14", "B": "14", "C": "12", "totale": "60"}
    assert (parameters["rescaling"], parameters["funding_rule"]) == ("nessuna", "parziale")
    assert parameters["tie_chain"] == ["A", "B", "C", "data_invio"]
    assert parameters["rounding"] == MILANO.rounding_description


def test_invalid_input_is_refused() -> None:
    """Duplicate protocols, unknown sub-criteria and naive timestamps are refused before any computation."""
    marks = uniform_marks(MILANO, "0.8")
    with pytest.raises(RuleViolation, match="Protocolli ripetuti"):
        build_ranking(MILANO, [candidate("P1", marks), candidate("P1", marks)])
    with pytest.raises(RuleViolation, match="Z.1"):
        build_ranking(MILANO, [candidate("P1", {"Rossi": {"Z.1": Decimal("0.8")}})])
    with pytest.raises(ValueError, match="fuso orario"):
        replace(candidate("P1", marks), submitted_at=datetime(2018, 2, 1, 9, 0))
