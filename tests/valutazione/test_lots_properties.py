"""Properties of the lot-aware funding walk that must hold for any input (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.valutazione.ranking_helpers import MEMBERS, T0, grid_bando
from valutazione.bando import Bando
from valutazione.bando_lotti import Lot, LotRules, ProjectType, ReservedQuota
from valutazione.ranking import Candidate, Ranking, build_ranking

SETTINGS = settings(max_examples=120, deadline=None)
PROPS = ("giovani", "rete")


@st.composite
def lot_calls(draw: st.DrawFn) -> Bando:
    count = draw(st.integers(1, 3))
    codes = [f"L{i}" for i in range(1, count + 1)]
    cap = draw(st.integers(1_000, 5_000_000))
    lots = tuple(Lot(c, f"Lotto {c}", draw(st.integers(cap, 4 * cap)), cap) for c in codes)
    quotas = tuple(
        ReservedQuota(f"Q{i}", "Quota", draw(st.sampled_from(codes)), draw(st.sampled_from(PROPS)), Decimal(pct), None)
        for i, pct in enumerate(draw(st.lists(st.integers(1, 40), max_size=2)))
    )
    residual = draw(st.sampled_from(["nessuna", "migliori_non_finanziate", "pro_rata", *(f"lotto:{c}" for c in codes)]))
    kinds = (ProjectType("piccolo", "Piccolo", max(1, cap // 2)),)
    rules = LotRules(lots, quotas, kinds, draw(st.one_of(st.none(), st.integers(1, 2))), residual)
    return grid_bando(
        thresholds={"A": "10"},
        total_threshold=Decimal(25),
        budget_cents=sum(lot.budget_cents for lot in lots),
        cap_cents=cap,
        funding_rule=draw(st.sampled_from(["parziale", "rigida", "salta"])),
        lots=rules,
    )


@st.composite
def pools(draw: st.DrawFn, bando: Bando) -> list[Candidate]:
    codes = [lot.code for lot in bando.lots.lots]
    out = []
    for i in range(draw(st.integers(0, 12))):
        points = {code: str(draw(st.sampled_from([0, 5, 10, 15, 20]))) for code in ("A", "B", "C")}
        out.append(
            Candidate(
                protocol=f"P{i:02}",
                applicant=f"Ente {i}",
                tax_code=f"CF{draw(st.integers(0, 3))}",
                title="Progetto",
                submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 5))),
                requested_cents=draw(st.integers(0, 2 * bando.cap_cents)),
                marks={m: {f"{c}.1": Decimal(v) for c, v in points.items()} for m in MEMBERS},
                expected_scorers=len(MEMBERS),
                renounced=draw(st.booleans()) and draw(st.booleans()),
                lot=draw(st.sampled_from(codes)),
                project_type=draw(st.sampled_from([None, "piccolo"])),
                properties=frozenset(draw(st.sets(st.sampled_from(PROPS)))),
            )
        )
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[Bando, list[Candidate], Ranking]:
    bando = draw(lot_calls())
    pool = draw(pools(bando))
    return bando, pool, build_ranking(bando, pool)


@SETTINGS
@given(cases())
def test_money_adds_up_and_no_lot_spends_more_than_it_has(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """The sum of grants is the money used; no lot grants beyond its budget plus what it received; the
    call never spends more than its budget; without redistribution no lot receives anything."""
    bando, _, ranking = case
    assert sum(r.grant_cents for r in ranking.rows) == ranking.allocated_cents
    assert ranking.allocated_cents <= bando.budget_cents
    for lot in ranking.lots:
        assert sum(r.grant_cents for r in ranking.lot_rows(lot.code)) == lot.allocated_cents
        assert lot.allocated_cents <= lot.budget_cents + lot.received_cents
        assert lot.quota_used_cents <= lot.quota_reserved_cents
    assert ranking.redistribution is not None
    assert sum(lot.received_cents for lot in ranking.lots) <= ranking.redistribution.pool_cents
    if bando.lots.residual_rule == "nessuna":
        assert all(lot.received_cents == 0 for lot in ranking.lots)


@SETTINGS
@given(cases())
def test_grants_respect_caps(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """No grant exceeds the amount asked, the lot's cap or the project type's cap."""
    bando, pool, ranking = case
    by_protocol = {c.protocol: c for c in pool}
    for r in ranking.rows:
        c = by_protocol[r.protocol]
        cap = bando.lots.project_types[0].cap_cents if c.project_type == "piccolo" else bando.cap_cents
        assert r.grant_cents <= min(c.requested_cents, cap)


@SETTINGS
@given(cases())
def test_a_quota_funds_only_its_own(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """An application funded by a quota has the quota's property and is in the quota's lot."""
    bando, pool, ranking = case
    by_protocol = {c.protocol: c for c in pool}
    quotas = {q.code: q for q in bando.lots.quotas}
    for r in ranking.rows:
        if r.funding_note and r.funding_note.startswith("quota:"):
            quota = quotas[r.funding_note.removeprefix("quota:")]
            assert quota.prop in by_protocol[r.protocol].properties and r.lot == quota.lot and r.grant_cents > 0


@SETTINGS
@given(cases())
def test_at_most_n_funded_per_applicant(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """With a limit N, no tax code has more than N funded applications across all lots."""
    bando, _, ranking = case
    limit = bando.lots.max_funded_per_applicant
    funded = Counter(r.tax_code for r in ranking.rows if r.grant_cents > 0)
    assert limit is None or all(n <= limit for n in funded.values())


@SETTINGS
@given(cases())
def test_redistribution_never_funds_below_threshold(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """Whatever the rule for unused money, only ranked, not renounced applications receive money."""
    _, _, ranking = case
    for r in ranking.rows:
        if r.grant_cents > 0:
            assert r.position is not None and not r.threshold_failures and r.status.funded
        if r.threshold_failures:
            assert r.grant_cents == 0 and r.status == "non_ammessa"


@SETTINGS
@given(cases())
def test_redistribution_only_adds(case: tuple[Bando, list[Candidate], Ranking]) -> None:
    """Redistributing unused money never takes money from an application funded without it."""
    bando, pool, ranking = case
    plain = build_ranking(replace(bando, lots=replace(bando.lots, residual_rule="nessuna")), pool)
    for r in plain.rows:
        assert ranking.row(r.protocol).grant_cents >= r.grant_cents
