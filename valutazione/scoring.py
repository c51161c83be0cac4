"""From the members' marks to the collegial points of one sub-criterion.

Pure functions over frozen dataclasses: no database, no I/O, so every scoring rule of docs/regole.md §§ 5-9 is testable
with a table of numbers. Values stay exact (``Decimal`` marks, ``Fraction`` means) and are rounded once,
with the call's rule, on the final points of each sub-criterion: rounding the mean first would change
the result (0,7 · 0,8 · 0,8 on 10 points is 7,67, not 7,70).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from itertools import chain, cycle
from math import lcm
from operator import is_, itemgetter
from typing import cast

from valutazione.bando import Bando, SubCriterion
from valutazione.errors import RuleViolation
from valutazione.money import PLAIN_DIGITS, spelled
from valutazione.sheet_columns import Row, SheetColumns, SheetRows

COEFFICIENTS = "coefficienti"
POINTS = "punti"
PAIRWISE_SUM = "confronto_somma"
PAIRWISE_MEAN = "confronto_media"


@dataclass(frozen=True, slots=True)
class SubScore:
    """How the points of one sub-criterion came from the members' marks, for the GUI and the minutes.

    ``coefficients`` holds each member's mark, sorted by member: a coefficient 0..1 (``coefficienti``),
    direct points (``punti``) or, for a pairwise comparison, the member's sum of degrees. ``mean`` is
    the collegial value: the mean coefficient, the mean points, or the pairwise coefficient, which is the
    sum of all members' sums over ``divisor`` (``confronto_somma``) or the mean of each member's sum over
    that member's entry in ``member_divisors`` (``confronto_media``). ``points_exact`` is before the call's
    rounding, ``points`` after it.
    """

    code: str
    maximum: Decimal
    coefficients: tuple[tuple[str, Decimal], ...]
    mean: Fraction
    points_exact: Fraction
    points: Decimal
    method: str = COEFFICIENTS
    divisor: Decimal | None = None
    member_divisors: tuple[tuple[str, Decimal], ...] = ()

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(member for member, _ in self.coefficients)

    def far_apart(self, limit: Decimal) -> bool:
        """Whether ``spread()`` is positive and at least ``limit``: the ranking's spread warning.

        Asked for every sub-score of a ranking, so it compares the extreme marks as Decimals and
        computes the exact spread once per distinct (lowest, highest) pair rather than once per call.
        """
        if len(self.coefficients) < 2 or self.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return False
        try:
            values = [v for _, v in self.coefficients]
            low, high = min(values), max(values)
        except (InvalidOperation, TypeError):
            spread = self.spread()  # a NaN mark: fails exactly as spread() always did
            return spread > 0 and spread >= limit
        return low != high and marks_far_apart(self.method == POINTS, self.maximum, low, high, limit)

    def spread(self) -> Fraction:
        """Distance between the highest and the lowest mark, as a share of the 0..1 scale.

        Direct points are divided by the maximum so that one threshold (``Bando.spread_warning``) fits
        both methods; pairwise sums are not marks on a scale, so they have no spread.
        """
        if len(self.coefficients) < 2 or self.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return Fraction(0)
        try:
            # Decimals compare exactly, so the extremes can be found without building a Fraction per
            # mark; the few distinct (lowest, highest) pairs of a call are converted once each.
            values = [v for _, v in self.coefficients]
            return _spread(self.method == POINTS, self.maximum, min(values), max(values))
        except (InvalidOperation, TypeError):
            # A NaN mark (only in a hand-built SubScore: validation refuses it) fails as it always did.
            fractions = [Fraction(v) for _, v in self.coefficients]
            spread = max(fractions) - min(fractions)
            return spread / Fraction(self.maximum) if self.method == POINTS else spread


@lru_cache(maxsize=4096)
def _spread(points: bool, maximum: Decimal, low: Decimal, high: Decimal) -> Fraction:
    spread = Fraction(high) - Fraction(low)
    return spread / Fraction(maximum) if points else spread


@lru_cache(maxsize=4096)
def marks_far_apart(points: bool, maximum: Decimal, low: Decimal, high: Decimal, limit: Decimal) -> bool:
    spread = _spread(points, maximum, low, high)
    return spread > 0 and spread >= limit


def format_it(value: Decimal | Fraction) -> str:
    """A number the Italian way for messages (``0,75``); Fractions are shown to four decimals.

    Far from the units it keeps its exponent (``1E+999999999``): spelled out in full, a hostile return's
    mark of eleven characters would make a message of a gigabyte before being refused (``money.spelled``).
    """
    if isinstance(value, Fraction):
        value = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")).normalize()
    return spelled(value).replace(".", ",")


def subcriterion_or_error(bando: Bando, sub_code: str) -> SubCriterion:
    """The sub-criterion, or a user-facing error: a code from an import file may be mistyped."""
    sub = bando.subcriteria_by_code.get(sub_code)
    if sub is None:
        raise RuleViolation(f"Il sottocriterio {sub_code} non è previsto dal bando {bando.code}")
    return sub


def is_pairwise(bando: Bando, sub_code: str) -> bool:
    """Whether the sub-criterion is judged by pairwise comparison (set per criterion by the call)."""
    return bando.criterion_of(sub_code).pairwise is not None


def validate_value(bando: Bando, sub_code: str, value: Decimal) -> None:
    """Refuses a member's mark the call does not allow, with a message naming the value and the code.

    Services call this before storing a mark, and ``score_subcriterion`` calls it again, so a bad value
    typed on paper and imported later cannot reach the ranking.
    """
    sub = subcriterion_or_error(bando, sub_code)
    if is_pairwise(bando, sub_code):
        raise RuleViolation(f"Il sottocriterio {sub_code} si valuta con il confronto a coppie, non con un voto")
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RuleViolation(f"Il valore {value!r} per {sub_code} non è un numero valido")
    shown = format_it(value)
    places = -int(value.as_tuple().exponent)  # finite: an int
    if value and (abs(value.adjusted()) > PLAIN_DIGITS or places > PLAIN_DIGITS):
        # 1e-999999999 passed the step's check (``%`` underflows to 0 in the default context) and the
        # exact mean then built a denominator of a billion digits: a ranking that never ended
        raise RuleViolation(
            f"Il valore {shown} per {sub_code} non è un voto: ha più di {PLAIN_DIGITS} cifre prima o dopo la virgola"
        )
    if bando.method == COEFFICIENTS:
        if all(step.value != value for step in bando.scale):
            raise RuleViolation(f"Il coefficiente {shown} non è nella scala del bando per {sub_code}")
        return
    if value < 0:
        raise RuleViolation(f"Il punteggio {shown} per {sub_code} non può essere negativo")
    if value > sub.maximum:
        raise RuleViolation(f"Il punteggio {shown} supera il massimo di {format_it(sub.maximum)} per {sub_code}")
    if value % bando.points_step != 0:
        raise RuleViolation(
            f"Il punteggio {shown} non rispetta il passo di {format_it(bando.points_step)} per {sub_code}"
        )


def exact_mean(values: Iterable[Decimal | Fraction]) -> Fraction:
    """Exact arithmetic mean; zero for no values (an application nobody scored yet scores nothing)."""
    # Summed as integers over the common denominator, one Fraction at the end: the same exact value as
    # adding Fractions one by one, without a gcd per addition (``as_integer_ratio`` is what
    # ``Fraction(value)`` itself uses for a Decimal).
    ratios = [v.as_integer_ratio() for v in values]
    if not ratios:
        return Fraction(0)
    common = lcm(*(d for _, d in ratios))
    return Fraction(sum(n * (common // d) for n, d in ratios), common * len(ratios))


_Result = tuple[Fraction, Fraction, Decimal, bool, bool]  # mean, exact points, rounded points, far apart, one value


@dataclass
class _Memo:
    """What one call's rules have already settled: marks found valid, and collegial results.

    A ranking scores hundreds of thousands of marks drawn from a handful of values (the scale's six
    coefficients, or points on a step), so re-validating each and redoing the exact ``Fraction``
    arithmetic per sub-criterion was most of its time. Both depend only on the values (``Decimal``
    equality, so ``0.8`` and ``0.80`` share an entry), never on who gave them, so remembering them is
    exact: the results, and the fingerprint, are the same as computing afresh. ``valid`` holds
    ``(sub-criterion code, value)`` pairs, so a whole sheet is checked with one set operation.
    ``results`` is keyed by the sub-criterion's maximum and the sorted marks: the points, the spread
    and whether the marks are valid depend on nothing else (every sub-criterion scored from marks
    shares the call's method, scale and step), so sub-criteria with the same maximum share entries.
    ``means`` holds the exact mean of sorted marks, which not even the maximum changes.
    """

    valid: set[tuple[str, Decimal]] = field(default_factory=set)
    results: dict[tuple[Decimal, tuple[Decimal, ...]], _Result] = field(default_factory=dict)
    means: dict[tuple[Decimal, ...], Fraction] = field(default_factory=dict)


_MEMO_LIMIT = 20_000  # distinct (maximum, marks) results kept: a few MB even with direct points
_SHARED_LIMIT = 50_000  # distinct sub-scores kept for sharing, each already held by the ranking's rows
_DECIMAL_ONLY = frozenset({Decimal})


def score_subcriterion(bando: Bando, sub_code: str, marks: Mapping[str, Decimal]) -> SubScore:
    """Collegial points of one sub-criterion from ``{member: mark}`` of the members who scored it.

    Coefficients: mean × the sub-criterion's maximum. Direct points: the mean itself. Members in
    conflict are simply absent from ``marks``: the mean uses only those who scored. For many
    applications under the same rules, hold one ``SubScorer`` instead: it remembers what it settled.
    """
    return SubScorer(bando).score(sub_code, marks)


class SubScorer:
    """``score_subcriterion`` for the many applications of one ranking, under one call's rules.

    Every mark is checked against the rules (``validate_value`` the first time a value is seen for a
    sub-criterion, a set lookup after that), so a bad value imported from paper cannot reach the
    ranking; the exact mean and rounded points are computed once per distinct set of marks.

    The memo belongs to this object, which its caller creates for one computation and drops after it
    (``build_ranking`` makes one per ranking): no state outlives the caller, none is shared between
    threads, and a change to the rules can never meet results remembered under the old ones.
    """

    __slots__ = (
        "_bando",
        "_memo",
        "_shared",
        "_coefficients",
        "_codes",
        "_code_set",
        "_maxima",
        "_orders",
        "_unscored",
        "_marks_of",
        "zero",
    )

    def __init__(self, bando: Bando) -> None:
        self._bando = bando
        self._memo = _Memo()
        self._shared: dict[tuple[str, tuple[str, ...], tuple[Decimal, ...]], tuple[tuple[Decimal, ...], SubScore]] = {}
        self._coefficients = bando.method == COEFFICIENTS
        # The sub-criteria scored from marks, in the call's order, and a getter of a sheet's marks on
        # all of them at once (a tuple, so one sheet becomes one row of the application's table).
        self._codes = tuple(s.code for c in bando.criteria if c.pairwise is None for s in c.subcriteria)
        self._code_set = frozenset(self._codes)
        self._maxima = tuple(bando.subcriteria_by_code[code].maximum for code in self._codes)
        self._unscored: tuple[SubScore, ...] | None = None  # see ``score_sheets``
        self._orders: dict[tuple[str, ...], tuple[bool, Callable[[Row], Row] | None]] = {}  # see ``_rows``
        self._marks_of = itemgetter(*self._codes) if len(self._codes) > 1 else None
        self.zero = bando.round(Fraction(0))  # the sum of no points, rounded as the call says

    def score(self, sub_code: str, marks: Mapping[str, Decimal]) -> SubScore:
        subcriterion_or_error(self._bando, sub_code)
        for value in marks.values():
            self._check(sub_code, value)
        return self.score_checked(sub_code, tuple(sorted(marks.items())))

    def score_sheets(self, sheets: Mapping[str, Mapping[str, Decimal]]) -> Sequence[SubScore]:
        """One application's sub-scores on every sub-criterion scored from marks, in the call's order.

        ``sheets`` is ``{member: {sub_code: mark}}``; each sub-score is what ``score`` gives for the
        members who marked that sub-criterion. When every member marked every sub-criterion (nearly
        always), the sheets become per-sub-criterion columns with ``zip`` and only the points are
        computed now: the answer is a ``SheetColumns``, which builds the records when first read.
        """
        return self.score_all((sheets,))[0]

    def score_all(self, applications: Sequence[Mapping[str, Mapping[str, Decimal]]]) -> list[Sequence[SubScore]]:
        """``score_sheets`` of each application, in their order: the same answers, and the same first error.

        A ranking scores thousands of applications. Their columns are sorted into keys and looked up
        among the remembered results all at once (``map`` over every column, not a Python call per
        column; ``_found_together``), and the values of the keys met for the first time are checked
        once each. When a mark is unusual (not a ``Decimal``, a NaN) or fails its check, each
        application is checked in turn instead, so the error is the one the first bad application
        gives, naming its first bad value.
        """
        held = [self._rows(sheets) for sheets in applications]
        together = self._found_together([h[1] for h in held if h is not None])
        answers: list[Sequence[SubScore]] = []
        for sheets, h in zip(applications, held, strict=True):
            if h is None:
                answers.append(self._records(sheets))
                continue
            names, rows = h
            found: Sequence[_Result]
            if together is None:
                columns = tuple(zip(*rows, strict=True))
                self.check_sheets(sheets)  # a value not met before, or no Decimal: checked, or named, one by one
                found = [self._result(*key) for key in self._keys(columns)]
            else:
                columns, found = next(together)
            _, _, points, far, alike = zip(*found, strict=True)
            answers.append(
                SheetColumns(
                    self._codes,
                    names,
                    columns,
                    points,
                    far,
                    self._bando.spread_warning,
                    True not in far and False not in alike,
                    self._shared_column,
                )
            )
        return answers

    def _found_together(
        self, rows_of: list[Sequence[Row]]
    ) -> Iterator[tuple[tuple[tuple[Decimal, ...], ...], Sequence[_Result]]] | None:
        """Each application's columns and their results, in order, for applications held as rows; None
        when a mark is not exactly a ``Decimal``, cannot be ordered (a NaN), or fails its check.

        A result is remembered only for marks already checked, so only the values of keys not found
        are checked, once per sub-criterion and key, before their results are computed (kept here too,
        because the memo may be cleared when full). Sub-criteria with the same maximum share results,
        as they share what makes a mark valid (``_Memo``).
        """
        codes, width = self._codes, len(self._codes)
        try:
            if not _DECIMAL_ONLY.issuperset(map(type, chain.from_iterable(chain.from_iterable(rows_of)))):
                return None
            columns = [tuple(zip(*rows, strict=True)) for rows in rows_of]
            keys = list(zip(cycle(self._maxima), map(tuple, map(sorted, chain.from_iterable(columns)))))
            found: list[_Result | None] = list(map(self._memo.results.get, keys))
            if None in found:
                new = {(at % width, keys[at]) for at, known in enumerate(found) if known is None}
                for place, (_, ordered) in new:
                    for value in ordered:
                        self._check(codes[place], value)
                fresh = {key: self._result(*key) for _, key in new}
                found = [known or fresh[key] for known, key in zip(found, keys, strict=True)]
        except (InvalidOperation, TypeError, RuleViolation):
            return None
        results = cast(list[_Result], found)
        return ((cols, results[at * width : (at + 1) * width]) for at, cols in enumerate(columns))

    def _records(self, sheets: Mapping[str, Mapping[str, Decimal]]) -> Sequence[SubScore]:
        """``score_sheets`` for sheets not held as columns: some mark missing, or no sheet at all."""
        if not sheets:  # an application nobody scored: the same records every time, built once
            if self._unscored is None:
                self._unscored = tuple(self.score_checked(code, ()) for code in self._codes)
            return self._unscored
        self.check_sheets(sheets)
        by_member = sorted(sheets.items(), key=_first)
        return [
            self.score_checked(code, tuple([(m, ms[code]) for m, ms in by_member if code in ms]))
            for code in self._codes
        ]

    def _rows(self, sheets: Mapping[str, Mapping[str, Decimal]]) -> tuple[tuple[str, ...], Sequence[Row]] | None:
        """The members, sorted, and each one's marks in the call's order, when every member marked every
        sub-criterion scored from marks and nothing else; None otherwise (or with no sheet at all).

        Rows read from the file (``SheetRows``) are taken as they are when their codes are the call's in
        its order, or reordered once per sheet when in another; each distinct codes tuple is judged once.
        """
        if not sheets:
            return None
        if type(sheets) is SheetRows:
            codes = sheets.codes
            if codes not in self._orders:
                self._orders[codes] = self._order_of(codes)
            usable, order = self._orders[codes]
            if not usable:
                return None
            return sheets.names, sheets.rows if order is None else [order(row) for row in sheets.rows]
        getter = self._marks_of
        if getter is None or not all(ms.keys() == self._code_set for ms in sheets.values()):
            return None
        names = sorted(sheets)
        return tuple(names), [getter(sheets[m]) for m in names]

    def _order_of(self, codes: tuple[str, ...]) -> tuple[bool, Callable[[Row], Row] | None]:
        """Whether rows of marks on ``codes`` can be read as columns (the codes are exactly the call's
        sub-criteria scored from marks: none missing, none more, none twice), and what puts such a row
        in the call's order (None when it is in that order already)."""
        if len(codes) != len(self._codes) or frozenset(codes) != self._code_set or len(codes) < 2:
            return False, None
        if codes == self._codes:
            return True, None
        return True, itemgetter(*[codes.index(code) for code in self._codes])

    def _keys(self, columns: tuple[tuple[Decimal, ...], ...]) -> list[tuple[Decimal, tuple[Decimal, ...]]]:
        """Each column's key among the remembered results: its sub-criterion's maximum and its marks, sorted."""
        return list(zip(self._maxima, map(tuple, map(sorted, columns)), strict=True))

    def check_sheets(self, sheets: Mapping[str, Mapping[str, Decimal]]) -> None:
        """Checks every mark of one application's sheets against the rules, as ``score`` would.

        A ranking's marks are nearly all values already found valid for their sub-criterion: one
        set operation per sheet settles them. Otherwise (a new value, a value that is not exactly a
        ``Decimal``, a mark on a pairwise sub-criterion, which scoring ignores) the marks are checked
        one by one in the order ``score`` would meet them, criterion by criterion, so the first bad
        value is the one named, as before.
        """
        valid = self._memo.valid
        try:
            if all(
                _DECIMAL_ONLY.issuperset(map(type, ms.values())) and valid.issuperset(ms.items())
                for ms in sheets.values()
            ):
                return
        except TypeError:  # a signalling NaN cannot be hashed: it is refused below
            pass
        known = self._bando.subcriteria_by_code  # a valid pair's code is known: only here can one not be
        for ms in sheets.values():
            if not known.keys() >= ms.keys():
                for sub_code in ms:
                    subcriterion_or_error(self._bando, sub_code)
        for criterion in self._bando.criteria:
            if criterion.pairwise is not None:
                continue
            for sub in criterion.subcriteria:
                for ms in sheets.values():
                    if sub.code in ms:
                        self._check(sub.code, ms[sub.code])

    def score_checked(self, sub_code: str, coefficients: tuple[tuple[str, Decimal], ...]) -> SubScore:
        """The sub-score of ``(member, mark)`` pairs sorted by member, whose marks were checked already."""
        return self._score_column(sub_code, coefficients, [v for _, v in coefficients])

    def _shared_column(self, code: str, names: tuple[str, ...], column: tuple[Decimal, ...]) -> SubScore:
        """The sub-score of one column of marks, shared with an earlier application that had the very same
        marks objects from the same members (a frozen record: sharing it changes nothing). The identity
        check keeps ``0.8`` and ``0.80``, equal as keys, from lending each other their spelling."""
        shared = self._shared
        key = (code, names, column)
        kept = shared.get(key)
        if kept is None or not all(map(is_, kept[0], column)):
            if len(shared) >= _SHARED_LIMIT:
                shared.clear()
            kept = shared[key] = (column, self._score_column(code, tuple(zip(names, column, strict=True)), column))
        return kept[1]

    def _score_column(
        self, sub_code: str, coefficients: tuple[tuple[str, Decimal], ...], values: Iterable[Decimal]
    ) -> SubScore:
        sub = self._bando.subcriteria_by_code[sub_code]
        found = self._result(sub.maximum, tuple(sorted(values)))
        return SubScore(sub_code, sub.maximum, coefficients, *found[:3], self._bando.method)

    def _result(self, maximum: Decimal, ordered: tuple[Decimal, ...]) -> _Result:
        """Mean, exact points, rounded points, spread and sameness of a sub-criterion's marks, given sorted.

        The spread is ``SubScore.far_apart`` under the call's ``spread_warning``: decided here by value,
        with the points, so that a ranking's warnings need not look at marks that are not far apart.
        """
        memo = self._memo
        results = memo.results
        key = (maximum, ordered)
        found = results.get(key)
        if found is None:
            if len(results) >= _MEMO_LIMIT:
                results.clear()
                memo.means.clear()
            bando = self._bando
            mean = memo.means.get(ordered)
            if mean is None:
                mean = memo.means[ordered] = exact_mean(ordered)
            exact = mean * Fraction(maximum) if self._coefficients else mean
            low, high = (ordered[0], ordered[-1]) if ordered else (None, None)
            far = low is not None and high is not None and low != high
            far = far and marks_far_apart(bando.method == POINTS, maximum, low, high, bando.spread_warning)
            found = results[key] = (mean, exact, bando.round(exact), far, low == high)
        return found

    def _check(self, sub_code: str, value: Decimal) -> None:
        valid = self._memo.valid
        try:
            if type(value) is Decimal and (sub_code, value) in valid:
                return
        except TypeError:  # a signalling NaN cannot be hashed: validate_value refuses it below
            pass
        validate_value(self._bando, sub_code, value)
        valid.add((sub_code, value))


def points_from_coefficient(bando: Bando, sub_code: str, coefficient: Fraction) -> Decimal:
    """Rounded points for a collegial coefficient 0..1 (used for pairwise results)."""
    sub = subcriterion_or_error(bando, sub_code)
    return bando.round(coefficient * Fraction(sub.maximum))


def _first(item: tuple[str, Mapping[str, Decimal]]) -> str:
    return item[0]
