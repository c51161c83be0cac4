"""A tuple of records built when first read, for what a computation must offer but not every reader reads.

A ranking of 5,000 applications carries 45,000 sub-score records and some 20,000 warning texts. Its
order, points, funding and the reasons it cannot yet become final need neither. The fingerprint (taken
at each refresh of the ranking's screen, and at approval and verification), the detail of a row and the
minutes read the sub-scores; the progress board, the command line, an approved version's record and
the printed ranking read the warnings, which the ranking's screen does not. So those parts are held as
a ``LazyTuple``: a subclass keeps what it needs to build the records and ``_build`` makes them, once,
on the first read. It compares and hashes as the tuple of its records, so whoever holds one (a frozen
``Row``, a ``Ranking``) equals the same holder with the tuple built at once, and nothing downstream can
tell the difference but the time.

The build is deterministic, and the memos it shares with its siblings (the scorer's, the warner's) only
ever hold equal answers: two threads reading one at the same moment would build equal tuples, and
either may be kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class LazyTuple(Sequence[T]):
    """A sequence equal to the tuple ``_build()`` returns, built on first read and kept."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: tuple[T, ...] | None = None

    def _build(self) -> tuple[T, ...]:
        raise NotImplementedError

    def built(self) -> tuple[T, ...]:
        """The records, built now if this is the first read."""
        kept = self._items
        if kept is None:
            kept = self._items = self._build()
        return kept

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self.built()[index]

    def __len__(self) -> int:
        return len(self.built())

    def __iter__(self) -> Iterator[T]:
        return iter(self.built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTuple):
            return self.built() == other.built()
        if isinstance(other, tuple):
            return self.built() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.built())

    def __repr__(self) -> str:
        return repr(self.built())
