"""The warnings a committee needs before approving a ranking (docs/regole.md § 12).

Far-apart marks are to be discussed; identical sheets from every member suggest they did not judge
alone (courts have struck such rankings down); a missing sheet or fewer scorers than the quorum make
the collegial mean unreliable, so those two also block the final ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from valutazione import collector
from valutazione.bando import Bando
from valutazione.lazy_tuple import LazyTuple
from valutazione.plural import count
from valutazione.ranking.records import RankingWarning
from valutazione.scoring import COEFFICIENTS, PAIRWISE_MEAN, PAIRWISE_SUM, POINTS, SubScore, format_it, marks_far_apart
from valutazione.sheet_columns import SheetColumns

SPREAD = "scarto"
IDENTICAL = "schede_identiche"
MISSING = "scheda_mancante"
QUORUM = "quorum"
BLOCKING = (MISSING, QUORUM)
_name, _mark = itemgetter(0), itemgetter(1)  # of a (member, mark) pair


def application_warnings(
    bando: Bando, protocol: str, subscores: Sequence[SubScore], expected_scorers: int
) -> list[RankingWarning]:
    """All warnings for one evaluated application, in a fixed order (kind, then sub-criterion)."""
    return Warner(bando).warnings(protocol, subscores, expected_scorers)


class RankingWarnings(LazyTuple[RankingWarning]):
    """Every warning of a ranking, application by application in the ranking's input order, built when read.

    ``blocking`` (a missing sheet, fewer scorers than the quorum) are found at once: they decide whether
    the ranking can become final, and the ranking's screen names them. The whole list, chiefly the
    spread warnings (some 20,000 at 5,000 applications, an eighth of a ranking's time), is read by the
    progress board, the command line, an approved version's record and the printed ranking, not by the
    ranking's screen, which recomputes at every refresh; so it is built on its first read, from the
    same sub-scores and rules.
    ``blocking`` is exactly the blocking part of that list, in its order.
    """

    __slots__ = ("blocking", "_warner", "_applications")

    def __init__(self, bando: Bando, applications: Sequence[tuple[str, Sequence[SubScore], int]]) -> None:
        """``applications``: (protocol, sub-scores, expected scorers) of each evaluated application, in order."""
        self._items = None
        warner = self._warner = Warner(bando)
        self._applications = applications
        self.blocking = tuple(
            [
                warning
                for protocol, subscores, expected in applications
                for warning in warner.blocking(protocol, subscores, expected)
            ]
        )

    def _build(self) -> tuple[RankingWarning, ...]:
        with collector.paused():  # tens of thousands of records, kept: no collection walks them as they come
            return self._built()

    def _built(self) -> tuple[RankingWarning, ...]:
        warner = self._warner
        items = tuple(
            [
                warning
                for protocol, subscores, expected in self._applications
                for warning in warner.warnings(protocol, subscores, expected)
            ]
        )
        self._applications = ()  # built once: the sub-scores need not be held for it any longer
        return items


class Warner:
    """``application_warnings`` for the many applications of one ranking, under one call's rules.

    A ranking of 5,000 applications can carry 20,000 spread warnings over a few hundred distinct pairs
    of extreme marks. Each pair's decision (far apart or not) is kept by value, as ``SubScore.far_apart``
    decides it; each pair's text is kept by the identity of the two marks, because ``0,8`` and ``0,80``
    are the same value but the message shows the marks as given. The caller creates one for a
    computation and drops it after (no state outlives a ranking).
    """

    __slots__ = ("_bando", "_far", "_texts")

    def __init__(self, bando: Bando) -> None:
        self._bando = bando
        self._far: dict[tuple[str, Decimal, Decimal, Decimal], bool] = {}
        self._texts: dict[tuple[str, int, int], tuple[Decimal, Decimal, str]] = {}

    def warnings(self, protocol: str, subscores: Sequence[SubScore], expected_scorers: int) -> list[RankingWarning]:
        """All warnings for one evaluated application, in a fixed order (kind, then sub-criterion).

        Each sub-score's members are gathered once (a set as large as the scorers' has nobody
        missing) rather than once per scorer. Sub-scores held as columns (every member marked every
        sub-criterion) are read as columns, without building their records: nobody is missing on a
        sub-criterion, and each column's extremes are its marks' ``min`` and ``max``.
        """
        if isinstance(subscores, SheetColumns):
            return self._column_warnings(protocol, subscores, expected_scorers)
        members = [set(map(_name, s.coefficients)) for s in subscores]
        scorers = sorted(set().union(*members))
        found = _Found(protocol)
        found.missing_sheets(len(scorers), expected_scorers)
        for s, ms in zip(subscores, members, strict=True):
            if len(ms) != len(scorers):
                for member in scorers:
                    if member not in ms:
                        found.warn(
                            MISSING, s.code, member, f"manca il punteggio di {member} sul sottocriterio {s.code}"
                        )
        found.quorum(len(scorers), self._bando.quorum)
        for s in subscores:
            text = self._spread_text(s)
            if text is not None:
                found.warn(SPREAD, s.code, None, text)
        if _identical(subscores, scorers):
            found.identical()
        return found.items

    def blocking(self, protocol: str, subscores: Sequence[SubScore], expected_scorers: int) -> list[RankingWarning]:
        """The blocking ones (``BLOCKING``) among ``warnings``, in their order; for columns without the others."""
        if not isinstance(subscores, SheetColumns):
            return [w for w in self.warnings(protocol, subscores, expected_scorers) if w.kind in BLOCKING]
        scorers = len(subscores.names)
        if scorers >= expected_scorers and scorers >= self._bando.quorum:  # nearly always: nothing to build
            return []
        found = _Found(protocol)
        found.missing_sheets(scorers, expected_scorers)  # nobody misses a sub-criterion: all marked all
        found.quorum(scorers, self._bando.quorum)
        return found.items

    def _column_warnings(self, protocol: str, columns: SheetColumns, expected_scorers: int) -> list[RankingWarning]:
        """``warnings`` for sub-scores held as columns: the same warnings, in the same order."""
        bando = self._bando
        scorers = len(columns.names)
        found = _Found(protocol)
        found.missing_sheets(scorers, expected_scorers)  # nobody misses a sub-criterion: all marked all
        found.quorum(scorers, bando.quorum)
        if scorers >= 2:
            far_apart = columns.far_apart
            if columns.spread_limit != bando.spread_warning:  # decided under another call's limit: decide again
                far_apart = tuple(
                    self._far_apart(bando, code, column)
                    for code, column in zip(columns.codes, columns.columns, strict=True)
                )
            if True in far_apart:  # nearly half the columns of a real call: one record each, built here
                texts, items, prefix = self._texts, found.items, found.prefix
                for code, column, far in zip(columns.codes, columns.columns, far_apart, strict=True):
                    if far:
                        low, high = min(column), max(column)
                        kept = texts.get((code, id(low), id(high)))
                        if kept is None or kept[0] is not low or kept[1] is not high:
                            text = self._spread_shown(code, low, high)
                        else:
                            text = kept[2]
                        items.append(RankingWarning(SPREAD, protocol, code, None, prefix + text))
            if columns.codes and columns.uniform:
                found.identical()
        return found.items

    def _spread_text(self, s: SubScore) -> str | None:
        """The spread warning's text for one sub-score, or None when its marks are not far apart."""
        if len(s.coefficients) < 2 or s.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return None
        values = list(map(_mark, s.coefficients))
        try:
            low, high = min(values), max(values)
        except (InvalidOperation, TypeError):  # a NaN mark (only in a hand-built SubScore): as before
            if not s.far_apart(self._bando.spread_warning):
                return None
            low, high = min(values), max(values)
            return _spread_message(s.code, low, high)
        return self._spread_of(s.code, s.method, s.maximum, low, high)

    def _spread_of(self, code: str, method: str, maximum: Decimal, low: Decimal, high: Decimal) -> str | None:
        """The spread text for the extreme marks ``low`` and ``high`` of a sub-criterion, or None.

        The decision is ``SubScore.far_apart``'s, kept by value; the text by the marks' identity."""
        if low == high:
            return None
        decided = (method, maximum, low, high)
        far = self._far.get(decided)
        if far is None:
            far = self._far[decided] = marks_far_apart(method == POINTS, maximum, low, high, self._bando.spread_warning)
        return self._spread_shown(code, low, high) if far else None

    def _far_apart(self, bando: Bando, code: str, column: tuple[Decimal, ...]) -> bool:
        return (
            self._spread_of(code, bando.method, bando.subcriteria_by_code[code].maximum, min(column), max(column))
            is not None
        )

    def _spread_shown(self, code: str, low: Decimal, high: Decimal) -> str:
        """The text of a spread warning, kept by the identity of the marks shown (``0,8`` is not ``0,80``)."""
        shown = (code, id(low), id(high))
        kept = self._texts.get(shown)
        if kept is None or kept[0] is not low or kept[1] is not high:
            kept = self._texts[shown] = (low, high, _spread_message(code, low, high))
        return kept[2]


class _Found:
    """The warnings of one application as they are found, in the order they are listed."""

    __slots__ = ("protocol", "prefix", "items")

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.prefix = f"Domanda {protocol}: "
        self.items: list[RankingWarning] = []

    def warn(self, kind: str, sub_code: str | None, member: str | None, text: str) -> None:
        self.items.append(RankingWarning(kind, self.protocol, sub_code, member, self.prefix + text))

    def missing_sheets(self, scorers: int, expected: int) -> None:
        if scorers < expected:
            missing = expected - scorers
            self.warn(MISSING, None, None, f"manca la scheda di {count(missing, 'commissari')} su {expected}")

    def quorum(self, scorers: int, quorum: int) -> None:
        if scorers < quorum:
            self.warn(QUORUM, None, None, f"valutata da {count(scorers, 'commissari')}, meno del quorum di {quorum}")

    def identical(self) -> None:
        self.warn(
            IDENTICAL,
            None,
            None,
            "tutti i commissari hanno dato valutazioni identiche su ogni sottocriterio;"
            " verificare che abbiano giudicato in autonomia",
        )


def _spread_message(code: str, low: Decimal, high: Decimal) -> str:
    return f"valutazioni distanti su {code} (da {format_it(low)} a {format_it(high)}), da discutere"


def _identical(subscores: Sequence[SubScore], scorers: Sequence[str]) -> bool:
    """Every scorer marked every (non-pairwise) sub-criterion, and all marks agree on each of them."""
    marked = [s for s in subscores if s.method in (COEFFICIENTS, POINTS)]
    if len(scorers) < 2 or not marked:
        return False
    return all(len(s.coefficients) == len(scorers) and len({v for _, v in s.coefficients}) == 1 for s in marked)
