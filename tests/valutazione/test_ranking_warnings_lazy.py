"""A ranking's warnings, built when first read, are the eager list; the blocking part is found at once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.valutazione.ranking_helpers import MILANO, candidate
from valutazione.lazy_tuple import LazyTuple
from valutazione.ranking import build_ranking
from valutazione.ranking.engine import blocking_reasons
from valutazione.ranking.warnings import BLOCKING, RankingWarnings, Warner

CODES = tuple(s.code for s in MILANO.subcriteria)
NAMES = ("Bianchi", "Esposito", "Rossi", "Verdi")
# Both spellings of each scale value: the spread warning shows the marks as given.
SPELLINGS = [Decimal(t) for v in MILANO.scale for t in {str(v.value), f"{v.value:.2f}"}]

application = st.tuples(
    st.dictionaries(  # the sheets; a sub-criterion left blank makes plain records instead of columns
        st.sampled_from(NAMES),
        st.dictionaries(st.sampled_from(CODES), st.sampled_from(SPELLINGS), min_size=len(CODES) - 1),
        max_size=len(NAMES),
    ),
    st.integers(min_value=0, max_value=len(NAMES)),  # sheets expected
    st.booleans(),  # excluded
)


@settings(max_examples=120, deadline=None)
@given(st.lists(application, min_size=1, max_size=8), st.integers(min_value=1, max_value=4))
def test_warnings_read_later_are_the_eager_ones(applications: list, quorum: int) -> None:
    """Same warnings in the same order as one ``Warner`` pass over the rows; blocking ones and reasons agree."""
    bando = replace(MILANO, quorum=quorum)
    pool = [
        candidate(f"P{i:02d}", sheets, expected_scorers=expected, excluded=excluded)
        for i, (sheets, expected, excluded) in enumerate(applications)
    ]
    ranking = build_ranking(bando, pool)
    assert isinstance(ranking.warnings, RankingWarnings)
    blocking = ranking.warnings.blocking  # read before the list is built, as the engine reads it

    subscores = {r.protocol: tuple(r.subscores) for r in ranking.rows}
    warner = Warner(bando)
    evaluated = [c for c in pool if not c.excluded]
    eager = tuple(w for c in evaluated for w in warner.warnings(c.protocol, subscores[c.protocol], c.expected_scorers))
    assert tuple(ranking.warnings) == eager and ranking.warnings == eager and len(ranking.warnings) == len(eager)
    assert blocking == tuple(w for w in eager if w.kind in BLOCKING)
    assert ranking.reasons == tuple(blocking_reasons(eager, ranking.unresolved_ties))
    assert ranking.can_be_final == (not ranking.reasons)


class _Counted(LazyTuple[int]):
    __slots__ = ("builds",)

    def __init__(self) -> None:
        super().__init__()
        self.builds = 0

    def _build(self) -> tuple[int, ...]:
        self.builds += 1
        return (3, 1, 2)


def test_a_lazy_tuple_is_its_tuple_built_once() -> None:
    """Equal to and hashed as its tuple, in every way it is read, and built on the first read only."""
    lazy = _Counted()
    assert lazy.builds == 0
    assert lazy == (3, 1, 2) and (3, 1, 2) == lazy and hash(lazy) == hash((3, 1, 2))
    assert list(lazy) == [3, 1, 2] and lazy[0] == 3 and lazy[1:] == (1, 2) and len(lazy) == 3
    assert 2 in lazy and lazy.index(2) == 2 and repr(lazy) == "(3, 1, 2)" and lazy != (3, 1)
    assert lazy == _Counted() and lazy != [3, 1, 2]
    assert lazy.builds == 1
