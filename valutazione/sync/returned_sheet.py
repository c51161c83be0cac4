"""A returned sheet checked before the merge writes anything, and its content spelled once for its hash
and its log row.

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
from valutazione.errors import RuleViolation
from valutazione.models import Commissario
from valutazione.scoring import validate_value
from valutazione.services.sheets import DRAFT, SUBMITTED, Mark, missing_marks
from valutazione.sync.merge_rows import App, Known
from valutazione.sync.returns import ReturnedSheet


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


def check_sheet(known: Known, m: Commissario, d: App, sh: ReturnedSheet) -> dict[str, str] | None:
    """Refuses the whole return for a bad mark, a tampered submission, or a change to a submitted sheet.

    Returns the content a submitted sheet's hash covers (None for a draft), each member already spelled
    in canonical JSON: its log row records the same content, and the marks are encoded once for both.
    """
    bando = known.bando
    content: dict[str, str] | None = None
    where = f"la scheda di {m.name} sulla domanda {d.protocol}"
    for v in sh.marks:
        if v.value is not None and (v.sub_code, v.value) not in known.valid_marks:
            try:
                validate_value(bando, v.sub_code, v.value)
            except RuleViolation as exc:
                raise RuleViolation(
                    f"Ritorno rifiutato, {where}: {exc}. Il file del presidente non è stato modificato."
                ) from exc
            known.valid_marks.add((v.sub_code, v.value))
    if sh.state == SUBMITTED:
        missing = missing_marks(bando, {v.sub_code: Mark(v.value, v.motivazione) for v in sh.marks})
        marks = [(v.sub_code, v.value, v.motivazione) for v in sh.marks]
        content = spelled_content(bando.code, m.name, d.protocol, marks)  # ``marks_content``, spelled
        if missing or sh.submitted_at is None or sh.content_hash != digest(content):
            raise RuleViolation(
                f"Ritorno rifiutato: {where} risulta inviata ma il contenuto non corrisponde alla "
                "sua impronta o è incompleto. Il file del presidente non è stato modificato."
            )
    current = known.sheets.get(d.id)
    if current is None or current.state != SUBMITTED:
        return content
    if sh.state == SUBMITTED and sh.content_hash == current.content_hash:
        return content
    if sh.revision < current.revision:
        return content  # an older version of a sheet submitted since: simply superseded
    kind = "una bozza" if sh.state == DRAFT else "una versione diversa"
    raise RuleViolation(
        f"Ritorno rifiutato: {where} è già stata inviata presso il presidente e {kind} non può "
        "sostituirla (serve prima una riapertura del presidente). Il file del presidente non è "
        "stato modificato."
    )
