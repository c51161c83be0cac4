"""Sub-scores held as columns (records built when first read) are the very records an eager scoring gives."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.valutazione.ranking_helpers import MILANO, candidate, grid_bando
from valutazione.errors import RuleViolation
from valutazione.ranking import build_ranking
from valutazione.ranking.warnings import Warner
from valutazione.scoring import SubScore, SubScorer
from valutazione.sheet_columns import SheetColumns, SheetRows

CODES = tuple(s.code for s in MILANO.subcriteria)
# Each scale value in two spellings: equal as Decimals, told apart in the spread warning's text.
SPELLINGS = [Decimal(t) for v in MILANO.scale for t in {str(v.value), f"{v.value:.2f}"}]
STRICTER = replace(MILANO, spread_warning=Decimal("0.5"))
NAMES = ("Bianchi", "Esposito", "Rossi", "Verdi", "Zanetti")

sheets_of = st.dictionaries(
    st.sampled_from(NAMES),
    st.fixed_dictionaries({code: st.sampled_from(SPELLINGS) for code in CODES}),
    min_size=1,
    max_size=len(NAMES),
)


def _eager(scorer: SubScorer, sheets: dict[str, dict[str, Decimal]]) -> tuple[SubScore, ...]:
    """The sub-scores one by one, from (member, mark) pairs sorted by member: the reference."""
    return tuple(scorer.score_checked(code, tuple((m, sheets[m][code]) for m in sorted(sheets))) for code in CODES)


@settings(max_examples=150, deadline=None)
@given(st.lists(sheets_of, min_size=1, max_size=6), st.integers(min_value=0, max_value=6))
def test_columns_equal_the_eager_records_and_warn_alike(
    applications: list[dict[str, dict[str, Decimal]]], expected: int
) -> None:
    """Columns give the eager records (equality, hash, order) and the same warnings, extremes spelled alike."""
    scorer = SubScorer(MILANO)
    for number, sheets in enumerate(applications):
        held = scorer.score_sheets(sheets)
        assert isinstance(held, SheetColumns)
        eager = _eager(SubScorer(MILANO), sheets)
        assert held == eager and eager == held and tuple(held) == eager and hash(held) == hash(eager)
        assert held.points == tuple(s.points for s in eager)
        assert held.names == tuple(sorted(sheets)) and len(held) == len(CODES) and held[1:3] == eager[1:3]
        protocol = f"PG {number:03d}"
        for bando in (MILANO, STRICTER):  # the second decides again the spreads the columns carry
            assert Warner(bando).warnings(protocol, held, expected) == Warner(bando).warnings(protocol, eager, expected)


def test_a_missing_mark_keeps_the_records_eager() -> None:
    """A member who left a sub-criterion blank makes the application's sub-scores plain records, as before."""
    sheets = {m: {code: Decimal("0.5") for code in CODES} for m in NAMES[:3]}
    del sheets["Rossi"]["B.2"]
    held = SubScorer(MILANO).score_sheets(sheets)
    assert not isinstance(held, SheetColumns)
    assert held[CODES.index("B.2")].members == ("Bianchi", "Esposito")
    warnings = Warner(MILANO).warnings("PG 001", held, 3)
    assert [w.kind for w in warnings] == ["scheda_mancante"] and warnings[0].member == "Rossi"


def test_a_ranking_read_from_columns_has_the_same_fingerprint_as_one_built_eagerly() -> None:
    """Reading a row's sub-scores first or never, the ranking's canonical text and fingerprint are the same."""
    bando = grid_bando()
    marks = {
        m: {"A.1": Decimal(a), "B.1": Decimal("20"), "C.1": Decimal("15.5")}
        for m, a in zip(NAMES, "12345", strict=True)
    }
    pool = [candidate("PG 001", marks), candidate("PG 002", {m: dict(v) for m, v in marks.items()}, hours=1)]
    first, second = build_ranking(bando, pool), build_ranking(bando, pool)
    assert isinstance(first.rows[0].subscores, SheetColumns)
    seen = [s.coefficients for r in first.rows for s in r.subscores]  # builds the records of the first
    assert seen and first.canonical_json() == second.canonical_json()
    assert first.fingerprint() == second.fingerprint() and first == second


def test_identical_sheets_warn_alike_as_columns_and_as_records() -> None:
    """Every member marked alike everywhere (0.8 and 0.80 are alike): the same «schede identiche» both ways."""
    same = {m: {code: Decimal("0.8") for code in CODES} for m in NAMES[:3]}
    same["Rossi"] = {code: Decimal("0.80") for code in CODES}
    one_apart = {m: dict(v) for m, v in same.items()}
    one_apart["Esposito"]["C.3"] = Decimal("0.7")
    for sheets, identical in ((same, True), (one_apart, False)):
        held = SubScorer(MILANO).score_sheets(sheets)
        assert isinstance(held, SheetColumns) and held.uniform is identical
        warnings = Warner(MILANO).warnings("PG 001", held, 3)
        assert warnings == Warner(MILANO).warnings("PG 001", _eager(SubScorer(MILANO), sheets), 3)
        assert [w.kind for w in warnings] == (["schede_identiche"] if identical else [])


def test_a_column_settled_for_one_maximum_is_checked_again_under_another() -> None:
    """31 points from every member settle A.1 (max 35) and B.1 (same maximum), never C.1 (max 30)."""
    bando = grid_bando()
    scorer = SubScorer(bando)
    fine = {m: {"A.1": Decimal("31"), "B.1": Decimal("20"), "C.1": Decimal("20")} for m in NAMES[:3]}
    scorer.score_sheets(fine)
    shared = {m: {"A.1": Decimal("20"), "B.1": Decimal("31"), "C.1": Decimal("20")} for m in NAMES[:3]}
    held = scorer.score_sheets(shared)
    assert held[1] == SubScorer(bando).score("B.1", {m: Decimal("31") for m in NAMES[:3]})
    over = {m: {"A.1": Decimal("20"), "B.1": Decimal("20"), "C.1": Decimal("31")} for m in NAMES[:3]}
    with pytest.raises(RuleViolation, match="supera il massimo di 30 per C.1"):
        scorer.score_sheets(over)


@pytest.mark.parametrize(
    ("bad", "message"),
    [(1, "non è un numero valido"), (Decimal("NaN"), "non è un numero valido"), (Decimal("sNaN"), "non è un numero")],
)
def test_a_bad_mark_equal_or_unorderable_is_refused_even_after_its_column_was_settled(
    bad: object, message: str
) -> None:
    """An int equal to a settled Decimal mark, or a NaN, is refused with the rules' message, never settled."""
    scorer = SubScorer(MILANO)
    sheets = {m: dict.fromkeys(CODES, Decimal("1")) for m in NAMES[:2]}
    scorer.score_sheets(sheets)
    sheets["Rossi"] = {**dict.fromkeys(CODES, Decimal("1")), "B.2": bad}  # type: ignore[dict-item]
    sheets["Verdi"] = dict.fromkeys(CODES, Decimal("1"))
    scorer.score_sheets({m: sheets[m] for m in NAMES[:2]})  # settled again: the memo holds the column
    with pytest.raises(RuleViolation, match=message):
        scorer.score_sheets(sheets)


def test_sheet_rows_read_as_the_dicts_they_stand_for() -> None:
    """Rows of marks on shared codes are, as a mapping, exactly the members' dicts (either side of ==)."""
    sheets = {"Verdi": (Decimal("0.8"), Decimal("1")), "Bianchi": (Decimal("0.5"), Decimal("0.70"))}
    rows = SheetRows(("A.2", "A.1"), sheets)
    as_dicts = {"Bianchi": {"A.2": Decimal("0.5"), "A.1": Decimal("0.70")}, "Verdi": {"A.2": Decimal("0.8"), "A.1": 1}}
    assert rows == as_dicts and as_dicts == rows and dict(rows) == as_dicts
    assert list(rows) == ["Bianchi", "Verdi"] and len(rows) == 2 and "Verdi" in rows and "Rossi" not in rows
    assert str(rows["Bianchi"]["A.1"]) == "0.70"
    with pytest.raises(KeyError):
        rows["Rossi"]


@settings(max_examples=100, deadline=None)
@given(sheets_of, st.permutations(CODES))
def test_sheet_rows_score_as_the_dicts_in_any_code_order(
    sheets: dict[str, dict[str, Decimal]], codes: list[str]
) -> None:
    """Rows in the call's order or any other score to the very records (and warnings) the dicts give."""
    order = tuple(codes)
    rows = SheetRows(order, {m: tuple(ms[c] for c in order) for m, ms in sheets.items()})
    scorer = SubScorer(MILANO)
    held = scorer.score_sheets(rows)
    assert isinstance(held, SheetColumns)
    assert tuple(held) == tuple(scorer.score_sheets(sheets)) == _eager(SubScorer(MILANO), sheets)
    warner = Warner(MILANO)
    assert warner.warnings("P1", held, 5) == warner.warnings("P1", _eager(scorer, sheets), 5)


@pytest.mark.parametrize(
    "codes", [CODES[:-1], (*CODES, "Z.9"), (*CODES[:-1], CODES[0])], ids=["one short", "one more", "one twice"]
)
def test_sheet_rows_on_other_codes_score_as_their_dicts(codes: tuple[str, ...]) -> None:
    """Rows short of a code, with one more or with one twice are scored (or refused) as their dicts are."""
    values = tuple(Decimal("0.5") + Decimal(i % 5) / 10 for i in range(len(codes)))
    rows = SheetRows(codes, {"Bianchi": values, "Rossi": values})
    as_dicts = {name: dict(zip(codes, values, strict=True)) for name in ("Bianchi", "Rossi")}
    try:
        expected: object = tuple(SubScorer(MILANO).score_sheets(as_dicts))
    except RuleViolation as refused:
        with pytest.raises(RuleViolation, match=str(refused)):
            SubScorer(MILANO).score_sheets(rows)
        return
    assert tuple(SubScorer(MILANO).score_sheets(rows)) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(sheets_of, min_size=1, max_size=5), st.permutations(CODES))
def test_a_ranking_of_sheet_rows_is_the_ranking_of_their_dicts(
    applications: list[dict[str, dict[str, Decimal]]], codes: list[str]
) -> None:
    """Marks read as rows (any code order) rank, warn and fingerprint exactly as the same marks as dicts."""
    order = tuple(codes)
    as_dicts = [candidate(f"PG {i:03}", sheets, hours=i % 2) for i, sheets in enumerate(applications)]
    as_rows = [
        replace(c, marks=SheetRows(order, {m: tuple(ms[code] for code in order) for m, ms in c.marks.items()}))
        for c in as_dicts
    ]
    assert as_rows == as_dicts  # the candidates themselves compare equal: the marks are the same mapping
    from_rows, from_dicts = build_ranking(MILANO, as_rows), build_ranking(MILANO, as_dicts)
    assert from_rows.warnings == from_dicts.warnings
    assert from_rows.fingerprint() == from_dicts.fingerprint()
    assert from_rows.canonical_json() == from_dicts.canonical_json()


# Marks no call's rules accept, each with the reason: off the scale, over the maximum, an int, NaNs.
BAD_MARKS = [Decimal("0.55"), Decimal("2"), 1, Decimal("NaN"), Decimal("sNaN")]
application_of = st.one_of(
    sheets_of,  # every member marked every sub-criterion: held as columns
    st.builds(
        lambda sheets, code: {m: {c: v for c, v in ms.items() if c != code} for m, ms in sheets.items()},
        sheets_of,
        st.sampled_from(CODES),
    ),  # one sub-criterion left blank by all: plain records
    st.just({}),  # nobody scored
    st.builds(
        lambda sheets, code, bad: {**sheets, "Zanetti": {**dict.fromkeys(CODES, Decimal("1")), code: bad}},
        sheets_of,
        st.sampled_from(CODES),
        st.sampled_from(BAD_MARKS),
    ),  # one bad mark
)


@settings(max_examples=150, deadline=None)
@given(st.lists(application_of, min_size=1, max_size=8), st.booleans())
def test_scoring_all_at_once_is_scoring_each_in_turn(
    applications: list[dict[str, dict[str, object]]], rows: bool
) -> None:
    """``score_all`` gives what ``score_sheets`` gives application by application, or the same first error."""
    if rows:  # as the file is read: rows on the call's codes where every member marked every code
        applications = [
            SheetRows(CODES, {m: tuple(ms[c] for c in CODES) for m, ms in a.items()})  # type: ignore[misc]
            if a and all(ms.keys() == set(CODES) for ms in a.values())
            else a
            for a in applications
        ]
    one_by_one = SubScorer(MILANO)
    try:
        expected = [tuple(one_by_one.score_sheets(a)) for a in applications]  # type: ignore[arg-type]
    except RuleViolation as refused:
        with pytest.raises(RuleViolation) as raised:
            SubScorer(MILANO).score_all(applications)  # type: ignore[arg-type]
        assert str(raised.value) == str(refused)
        return
    together = SubScorer(MILANO).score_all(applications)  # type: ignore[arg-type]
    assert [tuple(s) for s in together] == expected
    assert [isinstance(s, SheetColumns) for s in together] == [
        isinstance(one_by_one.score_sheets(a), SheetColumns)
        for a in applications  # type: ignore[arg-type]
    ]
