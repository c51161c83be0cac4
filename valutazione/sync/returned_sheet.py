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
from operator import itemgetter

from valutazione.errors import RuleViolation
from valutazione.models import Commissario
from valutazione.scoring import validate_value
from valutazione.services.sheets import DRAFT, SUBMITTED
from valutazione.sync.merge_rows import App, Known, Tails
from valutazione.sync.returns import ReturnedSheet


def spelled_content(
    bando_code: str,
    member: str,
    protocol: str,
    marks: Iterable[tuple[str, Decimal | None, str]],
    tails: Tails | None = None,
) -> dict[str, str]:
    """``marks_content(...)`` with each member already spelled (``audit.spelled``), for ``canonical_object``.

    Each mark is ``{"motivazione":…,"sottocriterio":…,"valore":…}`` (names in sorted order), the marks
    sorted by sub-criterion code as ``marks_content`` sorts them. What follows the motivazione depends
    only on the code and the mark, and a return repeats its few sub-criteria and the few marks of the
    call's scale ~40,000 times: ``tails``, kept for one return, spells each pair once. An entry serves
    only the very Decimal it was spelled from (``is``), as equal Decimals may be spelled apart (0.5, 0.50).
    """
    tails = {} if tails is None else tails
    spelled = []
    for code, value, why in sorted(marks, key=_code):
        found = tails.get((code, value))
        if found is not None and found[0] is value:
            tail = found[1]
        else:
            tail = _TAIL % (_quote(code), "null" if value is None else _quote(str(value)))
            tails[code, value] = (value, tail)
        spelled.append(_MOTIVAZIONE + _quote(why) + tail)
    voti = ",".join(spelled)
    return {
        "bando": _quote(bando_code),
        "commissario": _quote(member),
        "protocollo": _quote(protocol),
        "voti": "[" + voti + "]",
    }


# one mark of ``marks_content``, members spelled: '{"motivazione":%s,"sottocriterio":%s,"valore":%s}'
_MOTIVAZIONE, _TAIL = '{"motivazione":', ',"sottocriterio":%s,"valore":%s}'
_code = itemgetter(0)  # a mark's sub-criterion code: the order ``marks_content`` sorts them in


def incomplete(required: frozenset[str], justified: bool, marks: Iterable[tuple[str, Decimal | None, str]]) -> bool:
    """Whether ``services.sheets.missing_marks`` finds something missing, without a ``Mark`` per mark.

    ``required`` are the sub-criteria that function goes through (all but the pairwise ones), ``justified``
    the call's ``justification_required``: each needs a mark with a value and, if so, a motivazione that
    is not blank. The codes of a returned sheet are unique (``returns`` refuses a repeated one).
    """
    given = {code for code, value, why in marks if value is not None and (not justified or why.strip())}
    return not required <= given


def digest(content: dict[str, str]) -> str:
    """``services.sheets.content_hash`` of the content ``spelled_content`` spelled.

    Its four members are joined in their sorted order by one format (what ``audit.canonical_object``
    writes for them, without sorting and quoting the same four names for each of ~25,000 sheets).
    """
    text = _CONTENT % (content["bando"], content["commissario"], content["protocollo"], content["voti"])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CONTENT = '{"bando":%s,"commissario":%s,"protocollo":%s,"voti":%s}'  # ``marks_content``'s names, sorted


def check_sheet(known: Known, m: Commissario, d: App, sh: ReturnedSheet) -> dict[str, str] | None:
    """Refuses the whole return for a bad mark, a tampered submission, or a change to a submitted sheet.

    Returns the content a submitted sheet's hash covers (None for a draft), each member already spelled
    in canonical JSON: its log row records the same content, and the marks are encoded once for both.
    """
    bando = known.bando
    content: dict[str, str] | None = None
    valid = known.valid_marks
    for code, value, _why in sh.marks:
        if value is not None and (code, value) not in valid:
            try:
                validate_value(bando, code, value)
            except RuleViolation as exc:
                raise RuleViolation(
                    f"Ritorno rifiutato, {_where(m, d)}: {exc}. Il file del presidente non è stato modificato."
                ) from exc
            valid.add((code, value))
    if sh.state == SUBMITTED:
        content = spelled_content(bando.code, m.name, d.protocol, sh.marks, known.tails)  # ``marks_content``
        missing = incomplete(known.required, bando.justification_required, sh.marks)
        if missing or sh.submitted_at is None or sh.content_hash != digest(content):
            raise RuleViolation(
                f"Ritorno rifiutato: {_where(m, d)} risulta inviata ma il contenuto non corrisponde alla "
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
        f"Ritorno rifiutato: {_where(m, d)} è già stata inviata presso il presidente e {kind} non può "
        "sostituirla (serve prima una riapertura del presidente). Il file del presidente non è "
        "stato modificato."
    )


def _where(m: Commissario, d: App) -> str:
    """The sheet a refusal names (spelled only for a refusal, not for each of the thousands that pass)."""
    return f"la scheda di {m.name} sulla domanda {d.protocol}"
