"""The three call files of resources/bandi/, each ranked and funded to the cent on a worked example.

The figures in each docstring were computed by hand from the call file's rules; the engine must match them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from tests.valutazione.ranking_helpers import MEMBERS, T0, candidate, uniform_marks
from valutazione.bando import Bando, load_bando
from valutazione.paths import resource
from valutazione.ranking import Candidate, build_ranking

BANDI = Path(resource("bandi", "milano-mi331e.toml")).parent


def call(name: str) -> Bando:
    return load_bando(BANDI / name)


def test_the_three_call_files_load() -> None:
    """resources/bandi/ holds today's MI3.3.1.e, the multi-area call and the three-line call."""
    assert sorted(p.name for p in BANDI.glob("*.toml")) == [
        "milano-mi331e.toml",
        "milano-periferie-2018.toml",
        "quartieri-connessi.toml",
    ]
    assert not call("milano-mi331e.toml").lots.active


def test_milano_mi331e_worked_example() -> None:
    """MI3.3.1.e: € 1.128.100, cap € 50.000, parziale. 23 applications all «buono» (0,8 → 80,00 points)
    asking € 50.000, submitted an hour apart: 22 × 50.000 = € 1.100.000, the 23rd gets the € 28.100 left."""
    bando = call("milano-mi331e.toml")
    pool = [
        candidate(f"PG {i:03}/2018", uniform_marks(bando, "0.8"), hours=i, requested_cents=5_000_000)
        for i in range(1, 24)
    ]
    ranking = build_ranking(bando, pool)
    assert {str(r.total_final) for r in ranking.rows} == {"80.00"}
    assert [r.grant_cents for r in ranking.rows] == [5_000_000] * 22 + [2_810_000]
    assert ranking.rows[-1].status == "finanziata_parzialmente"
    assert (ranking.allocated_cents, ranking.remaining_cents, ranking.lots) == (112_810_000, 0, ())


def direct(protocol: str, lot: str, points: dict[str, str], asks: int, kind: str, minutes: int) -> Candidate:
    """A «punti» application: every member gives the same points per sub-criterion."""
    marks = {m: {code: Decimal(v) for code, v in points.items()} for m in MEMBERS}
    base = candidate(protocol, marks, requested_cents=asks * 100)
    return replace(base, lot=lot, project_type=kind, submitted_at=T0 + timedelta(minutes=minutes))


def grid(a1: str, a2: str, b: str, c: str, d: str) -> dict[str, str]:
    return {"A.1": a1, "A.2": a2, "B.1": b, "C.1": c, "D.1": d}


def test_periferie_worked_example() -> None:
    """Periferie 2018: six lots (A1-A5 € 160.000, CITTA € 200.000), salta, types multi € 100.000 and singola
    € 40.000, threshold 60, unused money to the best unfunded.

    A1: P01 multi 85 pts asks 100.000 → 100.000 (60.000 left); P02 singola 80 asks 45.000, offered the
    type cap 40.000 → 40.000 (20.000 left); P03 singola 75 asks 40.000: does not fit, skipped; P04 singola
    70 asks 20.000 → 20.000 (0 left). A3: P05 multi 90 asks 100.000 → 100.000 (60.000 left); P06 multi
    65 asks 90.000: skipped; P07 55 pts is below 60: not admitted. CITTA: P08 singola 78 asks 40.000 →
    40.000 (160.000 left). A2, A4, A5: nobody applied (480.000 left).
    Pool = 0 + 60.000 + 160.000 + 480.000 = € 700.000. Best unfunded: P03 (75) 40.000, then P06 (65)
    90.000: both funded, € 130.000 redistributed. A1 granted 200.000 (received 40.000), A3 190.000
    (received 30.000), CITTA 40.000; the call grants € 430.000 and € 570.000 stay unused."""
    bando = call("milano-periferie-2018.toml")
    pool = [
        direct("P01", "A1", grid("22", "13", "25", "17", "8"), 100_000, "multi", 1),
        direct("P02", "A1", grid("20", "12", "24", "16", "8"), 45_000, "singola", 2),
        direct("P03", "A1", grid("19", "11", "23", "15", "7"), 40_000, "singola", 3),
        direct("P04", "A1", grid("18", "10", "22", "14", "6"), 20_000, "singola", 4),
        direct("P05", "A3", grid("23", "14", "27", "18", "8"), 100_000, "multi", 5),
        direct("P06", "A3", grid("16", "10", "19", "13", "7"), 90_000, "multi", 6),
        direct("P07", "A3", grid("14", "8", "16", "12", "5"), 30_000, "singola", 7),
        direct("P08", "CITTA", grid("20", "12", "23", "15", "8"), 40_000, "singola", 8),
    ]
    ranking = build_ranking(bando, pool)
    totals = {r.protocol: str(r.total_final) for r in ranking.rows}
    assert totals == {
        "P01": "85.00",
        "P02": "80.00",
        "P03": "75.00",
        "P04": "70.00",
        "P05": "90.00",
        "P06": "65.00",
        "P07": "55.00",
        "P08": "78.00",
    }
    grants = {r.protocol: r.grant_cents for r in ranking.rows}
    assert grants == {
        "P01": 10_000_000,
        "P02": 4_000_000,
        "P03": 4_000_000,
        "P04": 2_000_000,
        "P05": 10_000_000,
        "P06": 9_000_000,
        "P07": 0,
        "P08": 4_000_000,
    }
    assert ranking.row("P07").status == "non_ammessa"
    assert (ranking.row("P03").funding_note, ranking.row("P06").funding_note) == ("residui", "residui")
    lots = {lot.code: (lot.allocated_cents, lot.received_cents, lot.remaining_cents) for lot in ranking.lots}
    assert lots["A1"] == (20_000_000, 4_000_000, 0)
    assert lots["A3"] == (19_000_000, 3_000_000, 0)
    assert lots["CITTA"] == (4_000_000, 0, 16_000_000)
    assert lots["A2"] == (0, 0, 16_000_000)
    assert ranking.redistribution is not None
    assert (ranking.redistribution.pool_cents, ranking.redistribution.redistributed_cents) == (70_000_000, 13_000_000)
    assert (ranking.allocated_cents, ranking.remaining_cents) == (43_000_000, 57_000_000)


def scored(protocol: str, lot: str, value: str, asks: int, minutes: int, **extra: object) -> Candidate:
    """A «coefficienti» application: every member gives ``value`` on every sub-criterion (total value × 100)."""
    bando = call("quartieri-connessi.toml")
    base = candidate(protocol, uniform_marks(bando, value), requested_cents=asks * 100)
    return replace(base, lot=lot, submitted_at=T0 + timedelta(minutes=minutes), **extra)  # type: ignore[arg-type]


def test_quartieri_connessi_worked_example() -> None:
    """Quartieri connessi: € 516.500 on L1 206.600, L2 154.950, L3 154.950; cap 50.000; parziale; 20 % of
    L3 (30.990) reserved to «giovani»; one funded per applicant; unused money pro rata.

    L1: Q01 (90, applicant X), Q02 (80), Q03 (70), Q04 (60) ask 50.000 → 200.000; Q05 (50) below 60.
    6.600 left and nobody else: L1 gives 6.600 to the pool.
    L2: Q06 (90) is applicant X again: passed over (one per applicant). Q07 (80), Q08 (70), Q09 (60,
    10:01) ask 50.000 → 150.000, 4.950 left; Q10 (60, 10:02, later) asks 40.000 → 4.950 (parziale).
    L3: quota 30.990 among «giovani»: Q12 (80) 30.000 fits (990 left), Q13 (70) 45.000 does not: the quota
    stops having used 30.000. Lot walk with 154.950 − 30.000 = 124.950: Q11 (90) 50.000, Q13 45.000,
    Q14 (60) asks 50.000, gets the 29.950 left.
    Pool 6.600 to the lines still wanting (L2, L3), budgets 154.950 : 154.950 → 3.300 each. L2 walks with
    158.250: Q10 now 8.250. L3 walks with 124.950 + 3.300 = 128.250: Q14 now 33.250.
    Lines: L1 200.000, L2 158.250, L3 158.250 = € 516.500, nothing left."""
    bando = call("quartieri-connessi.toml")
    young = frozenset({"giovani"})
    pool = [
        scored("Q01", "L1", "0.9", 50_000, 1, tax_code="CFX"),
        scored("Q02", "L1", "0.8", 50_000, 2),
        scored("Q03", "L1", "0.7", 50_000, 3),
        scored("Q04", "L1", "0.6", 50_000, 4),
        scored("Q05", "L1", "0.5", 50_000, 5),
        scored("Q06", "L2", "0.9", 50_000, 6, tax_code="CFX"),
        scored("Q07", "L2", "0.8", 50_000, 7),
        scored("Q08", "L2", "0.7", 50_000, 8),
        scored("Q09", "L2", "0.6", 50_000, 61),
        scored("Q10", "L2", "0.6", 40_000, 62),
        scored("Q11", "L3", "0.9", 50_000, 11),
        scored("Q12", "L3", "0.8", 30_000, 12, properties=young),
        scored("Q13", "L3", "0.7", 45_000, 13, properties=young),
        scored("Q14", "L3", "0.6", 50_000, 14),
    ]
    pool = [c if c.tax_code == "CFX" else replace(c, tax_code=f"CF{c.protocol}") for c in pool]
    ranking = build_ranking(bando, pool)
    grants = {r.protocol: r.grant_cents for r in ranking.rows}
    assert grants == {
        "Q01": 5_000_000,
        "Q02": 5_000_000,
        "Q03": 5_000_000,
        "Q04": 5_000_000,
        "Q05": 0,
        "Q06": 0,
        "Q07": 5_000_000,
        "Q08": 5_000_000,
        "Q09": 5_000_000,
        "Q10": 825_000,
        "Q11": 5_000_000,
        "Q12": 3_000_000,
        "Q13": 4_500_000,
        "Q14": 3_325_000,
    }
    notes = {r.protocol: r.funding_note for r in ranking.rows if r.funding_note}
    assert notes == {"Q06": "limite_richiedente", "Q12": "quota:GIOVANI", "Q10": "residui", "Q14": "residui"}
    lots = {lot.code: (lot.allocated_cents, lot.received_cents, lot.quota_used_cents) for lot in ranking.lots}
    assert lots == {"L1": (20_000_000, 0, 0), "L2": (15_825_000, 330_000, 0), "L3": (15_825_000, 330_000, 3_000_000)}
    assert ranking.redistribution is not None and ranking.redistribution.pool_cents == 660_000
    assert (ranking.allocated_cents, ranking.remaining_cents) == (51_650_000, 0)
    assert [r.protocol for r in ranking.lot_rows("L2") if r.position] == ["Q06", "Q07", "Q08", "Q09", "Q10"]
