"""The sheets' check on SQLite (the marks spelled by SQLite) gives the general check's verdicts.

Each test edits a submitted sheet's marks underneath and rewrites the sheet's stored hash over the text
SQLite spells for it — what a check trusting that spelling would accept — then compares the broken seals
and the marks kept for the approved versions with those of the general reading (``sheets.check_each``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from json.encoder import encode_basestring
from pathlib import Path

from sqlalchemy import select

from valutazione.db import open_database
from valutazione.models import BandoRow, Commissario, Domanda
from valutazione.seals import sheets_sqlite
from valutazione.seals.sheets import SheetFacts, SheetJudge, _logged_events, check_each, check_sheets

FIRST_SENT = "(SELECT min(id) FROM scheda WHERE state = 'inviata')"
FIRST_MARK = f"(SELECT min(id) FROM voto WHERE scheda_id = {FIRST_SENT})"
# The marks rebuilt without column types or index, so that a field can hold a real number and the marks
# come back in the order they were written (a typed column turns a number into text).
UNTYPED = (
    "ALTER TABLE voto RENAME TO voto_typed",
    "CREATE TABLE voto (id INTEGER PRIMARY KEY, scheda_id, sub_code, value, motivazione)",
    "INSERT INTO voto SELECT id, scheda_id, sub_code, value, motivazione FROM voto_typed",
    "DROP TABLE voto_typed",
)


def _edit(path: Path, *statements: str, rehash: bool = True) -> None:
    """Runs ``statements``, then stores as the first submitted sheet's hash the one of SQLite's spelling."""
    con = sqlite3.connect(path)
    try:
        for sql in statements:
            con.execute(sql)
        if rehash:
            con.text_factory = bytes
            (first,) = con.execute(FIRST_SENT[1:-1]).fetchone()
            marks = next(row[5] for row in con.execute(sheets_sqlite._statement()) if row[0] == first)
            con.execute(f"UPDATE scheda SET content_hash = ? WHERE id = {FIRST_SENT}", (_spelled(con, marks),))
        con.commit()
    finally:
        con.close()


def _spelled(con: sqlite3.Connection, marks: bytes) -> str:
    code = con.execute("SELECT code FROM bando").fetchone()[0].decode()
    name, protocol = (
        v.decode()
        for v in con.execute(
            "SELECT c.name, d.protocol FROM scheda s JOIN commissario c ON c.id = s.commissario_id "
            f"JOIN domanda d ON d.id = s.domanda_id WHERE s.id = {FIRST_SENT}"
        ).fetchone()
    )
    head = '{"bando":' + encode_basestring(code) + ',"commissario":' + encode_basestring(name)
    head += ',"protocollo":' + encode_basestring(protocol) + ',"voti":'
    return hashlib.sha256(head.encode() + marks + b"}").hexdigest()


def _verdicts(path: Path) -> tuple[object, object]:
    """(what ``check_sheets`` says on SQLite, what the general reading says): broken seals and kept marks."""
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            code = s.scalar(select(BandoRow.code)) or ""
            outcomes: list[object] = []
            for general in (False, True):
                facts = SheetFacts()
                events = _logged_events(s, facts)
                try:
                    if general:
                        names = dict(s.execute(select(Commissario.id, Commissario.name)).all())
                        protocols = dict(s.execute(select(Domanda.id, Domanda.protocol)).all())
                        judge = SheetJudge(s, code, False, names, protocols, events)
                        check_each(judge, lambda _n: None)
                        broken, kept = judge.broken, judge.mark_texts
                    else:
                        broken = check_sheets(s, code, False, facts, lambda _n: None, events)
                        kept = facts.mark_texts
                    outcomes.append(([(b.obj, b.message) for b in broken], kept))
                except Exception as exc:
                    outcomes.append(type(exc).__name__)
            return outcomes[0], outcomes[1]
    finally:
        db.close()


def _broken(path: Path) -> list[str]:
    fast, general = _verdicts(path)
    assert fast == general
    assert isinstance(fast, tuple)
    return [message for _obj, message in fast[0]]


def test_intact_sheets_read_alike(submitted_copy: Path) -> None:
    """Sheet seals: untouched sheets give no broken seal and the same marks kept by both readings."""
    fast, _general = _verdicts(submitted_copy)
    assert isinstance(fast, tuple) and fast[0] == [] and len(fast[1]) > 20
    assert _broken(submitted_copy) == []


def test_a_mark_not_in_its_canonical_spelling_is_refused(submitted_copy: Path) -> None:
    """Sheet seals: a mark stored as «+0.9» (the program hashes «0.9»), the hash over SQLite's text, is refused."""
    _edit(submitted_copy, f"UPDATE voto SET value = '+' || value WHERE id = {FIRST_MARK}")
    assert any("i voti non corrispondono" in m for m in _broken(submitted_copy))


def test_marks_in_another_order_are_refused(submitted_copy: Path) -> None:
    """Sheet seals: marks SQLite hands over out of sub-criterion order, the hash over that text, are refused."""
    _edit(
        submitted_copy,
        *UNTYPED,
        f"INSERT INTO voto SELECT NULL, scheda_id, sub_code, value, motivazione FROM voto WHERE id = {FIRST_MARK}",
        f"DELETE FROM voto WHERE id = {FIRST_MARK}",
    )
    assert any("i voti non corrispondono" in m for m in _broken(submitted_copy))


def test_a_justification_stored_as_a_real_number_is_refused(submitted_copy: Path) -> None:
    """Sheet seals: a justification stored as a real number, the hash over SQLite's spelling of it, is refused."""
    _edit(submitted_copy, *UNTYPED, f"UPDATE voto SET motivazione = 0.1 + 0.2 WHERE id = {FIRST_MARK}")
    assert any("i voti non corrispondono" in m for m in _broken(submitted_copy))


def test_a_sub_criterion_stored_as_a_real_number_is_refused(submitted_copy: Path) -> None:
    """Sheet seals: sub-criteria stored as real numbers (in order), the hash over SQLite's spelling, are refused."""
    _edit(submitted_copy, *UNTYPED, f"UPDATE voto SET sub_code = (0.1 + 0.2) * id WHERE scheda_id = {FIRST_SENT}")
    assert any("i voti non corrispondono" in m for m in _broken(submitted_copy))


def test_hostile_justifications_are_spelled_alike(submitted_copy: Path) -> None:
    """Sheet seals: quotes, backslashes, NUL and control characters in a justification hash alike in both."""
    hostile = 'a"b\\c\x00\x01\x1f\x7f\b\f\n\r\t\u2028é🙂{"motivazione":"'
    con = sqlite3.connect(submitted_copy)
    try:
        con.execute(f"UPDATE voto SET motivazione = ? WHERE id = {FIRST_MARK}", (hostile,))
        con.commit()
    finally:
        con.close()
    _edit(submitted_copy)
    assert not any("i voti non corrispondono" in m for m in _broken(submitted_copy))


def test_bytes_that_are_no_text_fail_as_before(submitted_copy: Path) -> None:
    """Sheet seals: a justification holding invalid UTF-8, the hash over those bytes, fails as in general."""
    _edit(submitted_copy, f"UPDATE voto SET motivazione = CAST(X'41FF42' AS TEXT) WHERE id = {FIRST_MARK}")
    fast, general = _verdicts(submitted_copy)
    assert fast == general == "OperationalError"


def test_a_blob_mark_sends_every_sheet_to_the_general_reading(submitted_copy: Path) -> None:
    """Sheet seals: a justification stored as a blob (SQLite's JSON refuses it) is judged as in general."""
    _edit(
        submitted_copy, f"UPDATE voto SET motivazione = CAST(motivazione AS BLOB) WHERE id = {FIRST_MARK}", rehash=False
    )
    fast, general = _verdicts(submitted_copy)
    assert fast == general == "TypeError"  # the general reading's own refusal of a value that is no text


def test_an_sqlite_without_json_functions_takes_the_general_reading(submitted_copy: Path) -> None:
    """Sheet seals: where SQLite's ``json_object`` fails (a build without it), every sheet is judged as elsewhere."""

    def missing(*_args: object) -> str:
        raise ValueError("json_object non disponibile")

    _edit(submitted_copy, f"UPDATE voto SET value = '+' || value WHERE id = {FIRST_MARK}")
    _fast, general = _verdicts(submitted_copy)
    db = open_database(submitted_copy, read_only=True)
    try:
        with db.sessions() as s:
            s.connection().connection.driver_connection.create_function("json_object", -1, missing)  # type: ignore[union-attr]
            code = s.scalar(select(BandoRow.code)) or ""
            facts = SheetFacts()
            broken = check_sheets(s, code, False, facts, lambda _n: None, _logged_events(s, SheetFacts()))
            assert ([(b.obj, b.message) for b in broken], facts.mark_texts) == general
            assert broken
    finally:
        db.close()
