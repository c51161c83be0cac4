"""Properties of the ranking that must hold for any input (hypothesis): money, order, thresholds, conflicts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.valutazione.ranking_helpers import MILANO, T0, grid_bando
from valutazione.bando import Bando
from valutazione.ranking import Candidate, build_ranking

GRID = grid_bando(thresholds={"A": "10"}, total_threshold=Decimal("40"))
MEMBER_NAMES = ("Bianchi", "Neri", "Rossi", "Verdi")
SETTINGS = settings(max_examples=80, deadline=None)


def values_for(bando: Bando) -> list[Decimal]:
    """A few allowed marks: few values make ties and threshold edges frequent."""
    if bando.method == "punti":
        return [Decimal(v) for v in ("0", "10", "15", "20", "30")]
    return [Decimal(v) for v in ("0.3", "0.5", "0.8", "1.0")]


@st.composite
def bandi(draw: st.DrawFn) -> Bando:
    base = draw(st.sampled_from([MILANO, GRID]))
    cap = draw(st.integers(1, 10_000_000))
    return replace(
        base,
        cap_cents=cap,
        budget_cents=cap * draw(st.integers(1, 4)) + draw(st.integers(0, cap)),
        funding_rule=draw(st.sampled_from(["parziale", "rigida", "salta"])),
        rescaling=draw(st.sampled_from(["nessuna", "prima", "prima_e_seconda"])),
        quorum=draw(st.integers(1, 3)),
    )


@st.composite
def pools(draw: st.DrawFn, bando: Bando) -> list[Candidate]:
    values = values_for(bando)
    pool = []
    for i in range(draw(st.integers(0, 8))):
        members = draw(st.lists(st.sampled_from(MEMBER_NAMES), min_size=1, max_size=4, unique=True))
        profile = {s.code: draw(st.sampled_from(values)) for s in bando.subcriteria}
        marks = {
            m: {code: draw(st.sampled_from([v, *values])) if draw(st.booleans()) else v for code, v in profile.items()}
            for m in members
        }
        pool.append(
            Candidate(
                protocol=f"P{i}",
                applicant=f"Ente {i}",
                tax_code="97000000000",
                title="Progetto",
                submitted_at=T0 + timedelta(hours=draw(st.integers(0, 2))),
                requested_cents=draw(st.integers(0, 12_000_000)),
                marks=marks,
                expected_scorers=draw(st.integers(len(members), 4)),
                excluded=draw(st.booleans()) and draw(st.booleans()),
                renounced=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return pool


@st.composite
def cases(draw: st.DrawFn) -> tuple[Bando, list[Candidate]]:
    bando = draw(bandi())
    return bando, draw(pools(bando))


@SETTINGS
@given(cases())
def test_grants_never_exceed_budget_nor_cap(case: tuple[Bando, list[Candidate]]) -> None:
    """No grant above the cap or the request, the total never above the budget, money only to the eligible."""
    bando, pool = case
    ranking = build_ranking(bando, pool)
    by_protocol = {c.protocol: c for c in pool}
    assert sum(r.grant_cents for r in ranking.rows) == ranking.allocated_cents <= bando.budget_cents
    assert ranking.remaining_cents == bando.budget_cents - ranking.allocated_cents
    for row in ranking.rows:
        assert 0 <= row.grant_cents <= min(bando.cap_cents, by_protocol[row.protocol].requested_cents)
        if row.status in ("non_ammessa", "esclusa", "rinunciataria", "ammessa_non_finanziata"):
            assert row.grant_cents == 0
    assert all(r.grant_cents == 0 for r in ranking.rows[ranking.funding_line :])


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_order_is_total_and_independent_of_input_order(case: tuple[Bando, list[Candidate]], rnd: random.Random) -> None:
    """Every application appears once, ranked ones first by total, and any permutation gives the same rows."""
    bando, pool = case
    ranking = build_ranking(bando, pool)
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    again = build_ranking(bando, shuffled)
    assert again.rows == ranking.rows
    assert sorted(r.protocol for r in ranking.rows) == sorted(c.protocol for c in pool)
    ranked = [r for r in ranking.rows if r.position is not None]
    assert [r.position for r in ranked] == list(range(1, len(ranked) + 1))
    assert ranking.rows[: len(ranked)] == tuple(ranked)
    totals = [r.total_final for r in ranked]
    assert totals == sorted(totals, reverse=True)


@SETTINGS
@given(cases())
def test_rescaling_never_lets_a_below_threshold_application_in(case: tuple[Bando, list[Candidate]]) -> None:
    """Whatever the re-scaling, the non ammesse are exactly those below a threshold on raw points."""
    bando, pool = case
    outcomes = []
    for mode in ("nessuna", "prima", "prima_e_seconda"):
        ranking = build_ranking(replace(bando, rescaling=mode), pool)
        for row in ranking.rows:
            if row.status != "esclusa":
                assert (row.status == "non_ammessa") == bool(row.threshold_failures)
        outcomes.append({r.protocol for r in ranking.rows if r.status == "non_ammessa"})
    assert outcomes[0] == outcomes[1] == outcomes[2]


@SETTINGS
@given(cases(), st.data())
def test_a_member_in_conflict_changes_only_that_application(
    case: tuple[Bando, list[Candidate]], data: st.DataObject
) -> None:
    """Removing one member's marks from one application never changes any other application's points."""
    bando, pool = case
    eligible = [c for c in pool if len(c.marks) > 1]
    if not eligible:
        return
    target = data.draw(st.sampled_from(eligible))
    member = data.draw(st.sampled_from(sorted(target.marks)))
    reduced = replace(target, marks={m: v for m, v in target.marks.items() if m != member})
    before = build_ranking(bando, pool)
    after = build_ranking(bando, [reduced if c is target else c for c in pool])
    for row in before.rows:
        if row.protocol != target.protocol:
            other = after.row(row.protocol)
            assert (other.criteria_raw, other.total_raw, other.subscores) == (
                row.criteria_raw,
                row.total_raw,
                row.subscores,
            )


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_fingerprint_is_stable_under_permutation(case: tuple[Bando, list[Candidate]], rnd: random.Random) -> None:
    """The same applications and marks, read in any order, give the same fingerprint."""
    bando, pool = case
    shuffled = []
    for c in pool:
        members = list(c.marks.items())
        rnd.shuffle(members)
        shuffled.append(replace(c, marks={m: dict(reversed(list(v.items()))) for m, v in members}))
    rnd.shuffle(shuffled)
    assert build_ranking(bando, shuffled).fingerprint() == build_ranking(bando, pool).fingerprint()
