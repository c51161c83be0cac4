"""A returned sheet's content, spelled in canonical JSON once: for its hash and for its log row.

The content a submission hash covers is ``services.sheets.marks_content``, spelled by
``audit.canonical_json``. A merge checks ~25,000 of them for five returns; building the dictionaries
and running the general encoder over them took 18 µs a sheet, writing the same text directly takes 8.
The text is the encoder's, character for character (tests/valutazione/sync/test_merge_fast_paths.py
compares the two on awkward marks); were ``marks_content`` ever to change without this, every submitted
sheet of every return would be refused for a hash that does not match — loudly, never silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from json.encoder import encode_basestring as _quote

from valutazione import audit


def spelled_content(
    bando_code: str, member: str, protocol: str, marks: Iterable[tuple[str, Decimal | None, str]]
) -> dict[str, str]:
    """``marks_content(...)`` with each member already spelled (``audit.spelled``), for ``canonical_object``.

    Each mark is ``{"motivazione":…,"sottocriterio":…,"valore":…}`` (names in sorted order), the marks
    sorted by sub-criterion code as ``marks_content`` sorts them.
    """
    voti = ",".join(
        '{"motivazione":'
        + _quote(why)
        + ',"sottocriterio":'
        + _quote(code)
        + ',"valore":'
        + ("null" if value is None else _quote(str(value)))
        + "}"
        for code, value, why in sorted(marks, key=_code)
    )
    return {
        "bando": _quote(bando_code),
        "commissario": _quote(member),
        "protocollo": _quote(protocol),
        "voti": "[" + voti + "]",
    }


def _code(mark: tuple[str, Decimal | None, str]) -> str:
    return mark[0]


def digest(content: dict[str, str]) -> str:
    """``services.sheets.content_hash`` of the content ``spelled_content`` spelled."""
    return hashlib.sha256(audit.canonical_object(content).encode("utf-8")).hexdigest()
