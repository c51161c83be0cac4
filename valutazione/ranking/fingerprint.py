"""The fingerprint of a recomputed ranking, its canonical text assembled from pieces.

Verification recomputes every approved version and compares the SHA-256 of its canonical JSON
(``Ranking.canonical_json``) with the stored fingerprint. At 5,000 applications that text is 14 MB:
45,000 sub-scores, each a dict of nine keys with every mark normalised, and building those dicts cost
more than the ranking itself. Here each row is encoded without its sub-scores by the very function and
encoder options ``records`` uses (so every field of a row is spelled as there), and each sub-score's
fragment is written out with the same number spellings (``records._canonical``, ``records._fraction``),
keys in sorted order, strings JSON-quoted: the same text, byte for byte (a test compares both on real
rankings and on hostile values).

A value of a type the fragment does not expect sends the whole ranking back to ``canonical_json``, and a
row whose text does not show its empty sub-scores exactly once likewise. Nothing is remembered between
calls. Security rests on the texts being equal: a different text could only make an honest version fail,
because the stored fingerprint was taken over the general spelling.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from json.encoder import encode_basestring

from valutazione import collector
from valutazione.ranking import Ranking, records
from valutazione.scoring import SubScore
from valutazione.sheet_columns import SheetColumns

_EMPTY_SUBSCORES = '"subscores":[]'
_NO_ROWS = '"rows":[]'


class _Unusual(Exception):
    """A value the fragments do not spell: the general encoder takes the whole ranking."""


def canonical_text(ranking: Ranking) -> str:
    """``ranking.canonical_json()``, assembled from pieces; the general encoder for anything unusual.

    With the cyclic collector paused (``collector``): the text builds the rows' sub-score records
    when they were held as columns, 45,000 at 5,000 applications, kept with the ranking; collections
    walking them meanwhile took a seventh of the time (at 5,000: 620–730 → 490–525 ms)."""
    with collector.paused():
        try:
            return _assembled(ranking)
        except (_Unusual, TypeError, AttributeError, ValueError):
            return ranking.canonical_json()


def _encoder() -> json.JSONEncoder:
    """The options of ``Ranking.canonical_json``, built once per call instead of once per row."""
    return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=records._plain)


def _assembled(ranking: Ranking) -> str:
    encode = _encoder().encode
    rows = ranking.rows
    # The text without rows ends with '"rows":[]}' (the last key in sorted order): they go in the brackets.
    empty = replace(ranking, rows=()).canonical_json()
    if not empty.endswith(_NO_ROWS + "}") or empty.count(_NO_ROWS) != 1:
        raise _Unusual("rows spelled unexpectedly")
    sub = _SubScoreText()
    parts: list[str] = []
    for row in rows:
        subscores = row.subscores
        if type(subscores) is SheetColumns:  # the engine's columns: their records, built once
            subscores = subscores.built()
        if type(subscores) is not tuple:
            raise _Unusual("sub-scores not a tuple")
        text = encode(records._full_row(row, ()))
        if text.count(_EMPTY_SUBSCORES) != 1:
            raise _Unusual("sub-scores key not found once")
        before, _, after = text.partition(_EMPTY_SUBSCORES)
        parts.append(before + '"subscores":[' + ",".join(map(sub, subscores)) + "]" + after)
    return empty[: -len("]}")] + ",".join(parts) + "]}"


class _SubScoreText:
    """One sub-score's JSON object, as ``records._full_row`` writes it; numbers spelled once per value."""

    __slots__ = ("_canonical", "_quoted", "_spelled")

    def __init__(self) -> None:
        # id of a sub-score -> it and its text: the engine shares one record between rows with the same
        # marks (a third of them at 5,000); the record is kept, and compared, so an id is never reused
        self._spelled: dict[int, tuple[SubScore, str]] = {}
        self._canonical: dict[str, str] = {}  # str(Decimal), an exact spelling -> quoted canonical form
        self._quoted: dict[str, str] = {}  # a member's name -> its JSON string

    def _number(self, value: Decimal) -> str:
        if type(value) is not Decimal:
            raise _Unusual("not a Decimal")
        key = str(value)
        found = self._canonical.get(key)
        if found is None:
            found = self._canonical[key] = encode_basestring(records._canonical(value))
        return found

    def _pairs(self, pairs: tuple[tuple[str, Decimal], ...]) -> str:
        quoted, number = self._quoted, self._number
        out: list[str] = []
        for name, value in pairs:
            if type(name) is not str:
                raise _Unusual("member name not a string")
            q = quoted.get(name)
            if q is None:
                q = quoted[name] = encode_basestring(name)
            out.append("[" + q + "," + number(value) + "]")
        return "[" + ",".join(out) + "]"

    def __call__(self, s: SubScore) -> str:
        found = self._spelled.get(id(s))
        if found is None or found[0] is not s:
            found = self._spelled[id(s)] = (s, self._text(s))
        return found[1]

    def _text(self, s: SubScore) -> str:
        if type(s) is not SubScore:
            raise _Unusual("not a SubScore")
        if type(s.code) is not str or type(s.method) is not str or type(s.points) is not Decimal:
            raise _Unusual("unexpected field type")
        return (
            '{"code":'
            + encode_basestring(s.code)
            + ',"divisor":'
            + ("null" if s.divisor is None else self._number(s.divisor))
            + ',"marks":'
            + self._pairs(s.coefficients)
            + ',"maximum":'
            + self._number(s.maximum)
            + ',"mean":'
            + encode_basestring(records._fraction(s.mean))
            + ',"member_divisors":'
            + self._pairs(s.member_divisors)
            + ',"method":'
            + encode_basestring(s.method)
            + ',"points":'
            + encode_basestring(str(s.points))
            + ',"points_exact":'
            + encode_basestring(records._fraction(s.points_exact))
            + "}"
        )
