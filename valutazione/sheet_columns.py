"""One application's marks as rows and columns: the points at once, the ``SubScore`` records when first read.

A ranking needs, per application, only the points of each sub-criterion (for the criteria, the
thresholds and the order) and the extremes of each column of marks (for the spread warning). The
``SubScore`` records, with every member's mark, are read by fewer: the fingerprint, the detail of one
row, the minutes. Building 45,000 of them for a 5,000-application ranking shown on screen was a third
of its time, so the common case (every member marked every sub-criterion) keeps the columns and builds
the records on first read, from the same columns and with the same scorer: the records, and so the
fingerprint, are exactly what an eager computation gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from valutazione.lazy_tuple import LazyTuple

if TYPE_CHECKING:
    from valutazione.scoring import SubScore

Column = tuple[Decimal, ...]
Row = tuple[Decimal, ...]
Build = Callable[[str, tuple[str, ...], Column], "SubScore"]


class SheetColumns(LazyTuple["SubScore"]):
    """The sub-scores of one application whose members all marked every sub-criterion from marks.

    ``names`` are the members, sorted; ``columns[i]`` their marks on ``codes[i]`` in that order;
    ``points[i]`` its rounded points; ``far_apart[i]`` whether its marks are at least ``spread_limit``
    apart (``SubScore.far_apart``, the ranking's spread warning); ``uniform`` whether every column holds
    one value (all members marked alike everywhere). As a sequence it is the tuple of
    ``SubScore`` records, built once when first read (``build`` is the ranking's scorer, which shares
    identical records between rows). It compares and hashes as that tuple, so a row holding it equals
    a row holding the records.
    """

    __slots__ = ("codes", "names", "columns", "points", "far_apart", "spread_limit", "uniform", "_build_one")

    def __init__(
        self,
        codes: tuple[str, ...],
        names: tuple[str, ...],
        columns: tuple[Column, ...],
        points: tuple[Decimal, ...],
        far_apart: tuple[bool, ...],
        spread_limit: Decimal,
        uniform: bool,
        build: Build,
    ) -> None:
        self.codes = codes
        self.names = names
        self.columns = columns
        self.points = points
        self.far_apart = far_apart
        self.spread_limit = spread_limit
        self.uniform = uniform
        self._build_one = build
        self._items = None

    def _build(self) -> tuple[SubScore, ...]:
        build, names = self._build_one, self.names
        return tuple([build(code, names, column) for code, column in zip(self.codes, self.columns, strict=True)])

    def __len__(self) -> int:  # known without building the records
        return len(self.codes)


class SheetRows(Mapping[str, Mapping[str, Decimal]]):
    """One application's submitted sheets, all on the same codes, as ``{member: {code: mark}}``.

    ``names`` are the members, sorted; ``rows[i]`` the marks of ``names[i]`` on ``codes``, in that
    order. The ranking reads the file's marks this way (one tuple per sheet, the codes shared by every
    sheet of the call), and the scorer turns the rows into columns with ``zip``, without a dict per
    sheet. Read as a mapping (a version's record, a sheet short of marks), each sheet is a new dict.
    """

    __slots__ = ("codes", "names", "rows")

    def __init__(self, codes: tuple[str, ...], sheets: Mapping[str, Row]) -> None:
        names = sorted(sheets)
        self.codes = codes
        self.names = tuple(names)
        self.rows = tuple([sheets[name] for name in names])

    def __getitem__(self, name: str) -> dict[str, Decimal]:
        for kept, row in zip(self.names, self.rows, strict=True):
            if kept == name:
                return dict(zip(self.codes, row, strict=True))
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return repr(dict(self.items()))
