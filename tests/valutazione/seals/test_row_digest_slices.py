"""A long text in a sealed row (an approved version's JSON) hashed in slices gives the digest of the whole."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from valutazione import audit
from valutazione.seals.rows import _digest

HOSTILE = [
    'virgolette " e \\ barra, {"json": [1, 2]}',
    "a capo\ne\ttab\r\x00\x1f\x7f\b\f",
    "è à ü € 🙂 \u2028 \u2029 𝄞",
    "x" * 37,
    "",
]


@pytest.mark.parametrize("slice_chars", [1, 2, 3, 7, 64])
def test_sliced_digest_equals_the_whole_row_spelled_at_once(slice_chars: int) -> None:
    """Seals of rows: every slice size gives the SHA-256 of canonical_json of the row, for any text."""
    long_text = "".join(HOSTILE) * 5
    rows = [
        [1, long_text, None, Decimal("0.80"), datetime(2026, 11, 29, 5, 0, tzinfo=UTC), True],
        [2, *HOSTILE, long_text],
        [3, long_text],
    ]
    for values in rows:
        whole = hashlib.sha256(audit.canonical_json(values).encode("utf-8")).hexdigest()
        assert _digest(values, slice_chars) == whole == _digest(values)


def test_a_lone_surrogate_fails_the_same_way() -> None:
    """A text that cannot be written as UTF-8 is refused by the sliced hash exactly as by the whole one."""
    values = [1, "ok" * 10 + "\ud800" + "ok" * 10]
    with pytest.raises(UnicodeEncodeError):
        hashlib.sha256(audit.canonical_json(values).encode("utf-8"))
    with pytest.raises(UnicodeEncodeError):
        _digest(values, 4)
