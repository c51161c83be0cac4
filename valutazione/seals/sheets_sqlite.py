"""The sheets' check on SQLite: each submitted sheet's marks spelled by SQLite as the sheet's text.

A sheet's content hash covers the canonical JSON of its member, application and marks (``sheets.sheet_text``).
At 5,000 applications that is 213,000 marks and 49 MB of justifications, and turning each into Python
objects, quoting and joining them again was most of the sheets' check. SQLite spells the marks' part
itself (``json_group_array`` of ``json_object``: keys in the order written, which is the sorted order,
strings quoted exactly as ``json.encoder.encode_basestring`` quotes them) and hands it over as bytes;
here only the head (call, member, application) is spelled and the whole hashed.

As for the log (``valutazione.chain_sqlite``), it only ever says «this sheet holds»: a sheet is taken
here when its hash is the stored one and its text is provably the one ``sheet_text`` would write — every
sub-criterion a string, in strictly increasing order, every mark a string already in its canonical
spelling (or none), every justification a string, the bytes valid UTF-8. Any other submitted sheet is
read again with its marks and judged as on any other database (``SheetJudge.recheck``), so every broken
sheet is reported with the same words, and a value SQLite cannot put in JSON (a blob) sends the whole
check back to the general reading.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring
from typing import Any

from valutazione.chain_sqlite import valid_utf8
from valutazione.models import Scheda, Voto
from valutazione.seals.sheets import SheetJudge

_CHUNK = 500
_JUSTIFIED = b'{"motivazione":"'  # how each mark's object begins when its justification is a string


def _statement() -> str:
    sheet, mark = Scheda.__tablename__, Voto.__tablename__
    return (
        "SELECT s.id, s.commissario_id, s.domanda_id, s.state, s.content_hash, "
        "CAST(json_group_array(json_object('motivazione', v.motivazione, 'sottocriterio', v.sub_code, "
        "'valore', v.value)) AS BLOB), json_group_array(v.sub_code), json_group_array(v.value) "
        f"FROM {sheet} s LEFT JOIN {mark} v ON v.scheda_id = s.id AND s.state = 'inviata' "
        "GROUP BY s.id ORDER BY s.id"
    )


def _codes(text: str) -> list[str] | None:
    """A sheet's sub-criteria (one JSON list), if all strings in strictly increasing order; else None.

    ``sorted`` refuses to compare a string with anything else, so sorting proves them all strings once
    the first is one; equal to the sorted list and without repeats, they were strictly increasing."""
    codes = json.loads(text)
    if not codes or type(codes[0]) is not str or len(set(codes)) != len(codes):
        return None
    try:
        return codes if sorted(codes) == codes else None
    except TypeError:
        return None


class _Marks:
    """Whether marks' stored texts are already their canonical spelling (``str(Decimal(text))``), or none."""

    def __init__(self) -> None:
        self._good: set[Any] = {None}

    def canonical(self, values: list[Any]) -> bool:
        if self._good.issuperset(values):
            return True
        for value in values:
            if value not in self._good:
                try:
                    if type(value) is not str or str(Decimal(value)) != value:
                        return False
                except (InvalidOperation, ValueError):
                    return False
                self._good.add(value)
        return True


def _flat(codes: list[str], values: list[Any]) -> list[str]:
    """The marks as ``SheetFacts`` keeps them: [sub-criterion, mark, ...], the unmarked left out."""
    if None in values:
        return [x for c, v in zip(codes, values, strict=True) if v is not None for x in (c, v)]
    flat: list[str] = [""] * (2 * len(codes))
    flat[::2] = codes
    flat[1::2] = values
    return flat


def check_all(judge: SheetJudge, tick: Callable[[int], None]) -> int | None:
    """Every sheet judged (``judge``); the number read, or None when SQLite could not spell some mark."""
    sha256 = hashlib.sha256
    marks_ok = _Marks()
    code_lists: dict[str, list[str] | None] = {}  # the sheets of a call mostly share one list of sub-criteria
    code = judge.bando_code
    call = '{"bando":' + encode_basestring(code) if type(code) is str else None
    cursor = judge.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    done = 0
    try:
        cursor.execute(_statement())
        while chunk := cursor.fetchmany(_CHUNK):
            every_values = json.loads("[" + ",".join(row[7] for row in chunk) + "]")
            for (sheet_id, member_id, domanda_id, state, stored, marks, code_text, _), values in zip(
                chunk, every_values, strict=True
            ):
                if state != "inviata":
                    judge.draft(sheet_id, member_id, domanda_id)
                    continue
                if code_text in code_lists:
                    codes = code_lists[code_text]
                else:
                    codes = code_lists[code_text] = _codes(code_text)
                head = _head(call, judge, member_id, domanda_id)
                if (
                    codes is not None
                    and head is not None
                    and type(values) is list
                    and len(values) == len(codes)
                    and marks_ok.canonical(values)
                    and marks.count(_JUSTIFIED) == len(codes)
                    and sha256(head + marks + b"}").hexdigest() == stored
                    and valid_utf8(marks)
                ):
                    judge.holds(sheet_id, member_id, domanda_id, stored, _flat(codes, values))
                else:
                    judge.recheck(sheet_id, member_id, domanda_id, stored)
            done += len(chunk)
            tick(len(chunk))
    except sqlite3.OperationalError:
        return None  # a blob where SQLite's JSON wants text: the general reading judges every sheet
    finally:
        cursor.close()
    return done


def _head(call: str | None, judge: SheetJudge, member_id: int, domanda_id: int) -> bytes | None:
    """The sheet's text up to its marks, as ``sheet_text`` spells it; None when a name is not a string."""
    member, protocol = judge.names.get(member_id, ""), judge.protocols.get(domanda_id, "")
    if call is None or type(member) is not str or type(protocol) is not str:
        return None
    return (
        call
        + ',"commissario":'
        + encode_basestring(member)
        + ',"protocollo":'
        + encode_basestring(protocol)
        + ',"voti":'
    ).encode("utf-8")
