"""Approved versions recomputed in a second process: taken only when its marks are the sheets' marks, and
every verdict the same as when the version is recomputed in this process."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.valutazione.seals.test_seals import (
    SHEET_HASH_EDIT,
    SUBMITTED_MARK,
    VERSION_EDIT,
    sealed_template,
    tamper,
)
from valutazione import seals
from valutazione.db import backup_to, open_database
from valutazione.models import BandoRow, GraduatoriaVersion, Scheda
from valutazione.ranking.recheck import recheck, text_key, used_digest
from valutazione.seals import elsewhere, versions
from valutazione.seals.sheets import SheetFacts, check_sheets

__all__ = ["sealed_template"]  # the module-scoped demo with a final ranking, shared with test_seals

EDITS = {
    "versione": VERSION_EDIT,
    "scheda": SUBMITTED_MARK,
    "impronta-scheda": SHEET_HASH_EDIT,
    "hash-in-versione": (
        "UPDATE graduatoria SET content_json = substr(content_json, 1, instr(content_json, '\"sheets\": [[') + 30) "
        "|| '0' || substr(content_json, instr(content_json, '\"sheets\": [[') + 32) WHERE version = 1"
    ),
}


@pytest.fixture
def demo(sealed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "commissione.valutazione"
    backup_to(sealed_template, target)
    return target


def _messages(path: Path, monkeypatch: pytest.MonkeyPatch, *, there: bool) -> list[str]:
    """Every broken seal's message, the versions recomputed in a second process or here."""
    versions._AGREED.clear()
    monkeypatch.setattr(elsewhere, "MIN_CHARS", 0 if there else 10**12)
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            return [b.message for b in seals.verify_file(s).broken]
    finally:
        db.close()
        versions._AGREED.clear()


def _facts(s: Session) -> SheetFacts:
    facts = SheetFacts()
    code = s.scalar(select(BandoRow.code)) or ""
    assert check_sheets(s, code, False, facts, lambda _n: None) == []
    return facts


def test_the_second_process_agrees_and_its_answer_is_taken(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals (approved versions): an intact version's answer from the second process agrees and is taken."""
    monkeypatch.setattr(elsewhere, "MIN_CHARS", 0)
    versions._AGREED.clear()
    db = open_database(demo, read_only=True)
    try:
        with db.sessions() as s:
            other = versions.start_elsewhere(s)
            assert other is not None
            try:
                facts = _facts(s)
                rows = s.execute(select(GraduatoriaVersion.fingerprint, GraduatoriaVersion.content_json)).all()
                assert rows
                for stored, text in rows:
                    answer = other.answer(text_key(text))
                    assert answer is not None and answer["fingerprint"] == stored
                    assert versions._agreed_elsewhere(s, facts, answer, stored)
            finally:
                other.stop()
    finally:
        db.close()
    assert _messages(demo, monkeypatch, there=True) == []


def _forged(path: Path) -> None:
    """Version 1's stored marks changed and its fingerprint recomputed on them: consistent, but not the sheets."""
    con = sqlite3.connect(path)
    try:
        text = con.execute("SELECT content_json FROM graduatoria WHERE version = 1").fetchone()[0]
    finally:
        con.close()
    data = json.loads(text)
    first = next(c for c in data["inputs"]["candidates"] if c["marks"])
    member = sorted(first["marks"])[0]
    sub = sorted(first["marks"][member])[0]
    first["marks"][member][sub] = "1.0" if first["marks"][member][sub] != "1.0" else "0.5"
    forged = json.dumps(data, ensure_ascii=False, sort_keys=True)
    answer = recheck(forged, "test")
    data["fingerprint"] = answer["fingerprint"]
    forged = json.dumps(data, ensure_ascii=False, sort_keys=True)
    print_ = answer["fingerprint"].replace("'", "")
    tamper(
        path,
        "UPDATE graduatoria SET content_json = '" + forged.replace("'", "''") + "', fingerprint = '" + print_ + "' "
        "WHERE version = 1",
    )


def test_stored_marks_not_those_of_the_sheets_are_not_taken(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals (approved versions): marks forged in the version with a fingerprint to match are still refused."""
    _forged(demo)
    there = _messages(demo, monkeypatch, there=True)
    here = _messages(demo, monkeypatch, there=False)
    assert there == here
    assert any("versione 1: ricalcolata dai suoi dati non dà la stessa impronta" in m for m in there), there


def test_an_answer_with_other_marks_is_refused(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals (approved versions): an agreeing answer whose marks for one sheet hash differ is not taken."""
    monkeypatch.setattr(elsewhere, "MIN_CHARS", 0)
    db = open_database(demo, read_only=True)
    try:
        with db.sessions() as s:
            facts = _facts(s)
            row = s.execute(select(GraduatoriaVersion.fingerprint, GraduatoriaVersion.content_json)).first()
            assert row is not None
            stored, text = row
            answer = recheck(text, "test")
            assert versions._agreed_elsewhere(s, facts, answer, stored)
            real: list[list[Any]] = []
            for digest in answer["sheets"]:
                found = versions._mark_texts(s, facts, digest)
                assert found is not None
                real.append([digest, found[0]])
            assert used_digest(real) == answer["marks"]
            digest, marks = real[0]
            assert len(marks) >= 4 and marks[0].count(".") == 1
            for changed in (
                [marks[0], marks[1] + "0", *marks[2:]],
                [*marks[2:4], *marks[:2], *marks[4:]],
                marks[2:],
                [],
            ):
                forged = {**answer, "marks": used_digest([[digest, changed], *real[1:]])}
                assert versions._agreed_elsewhere(s, facts, forged, stored) is None
            other_sheet = {**answer, "sheets": ["0" * 64, *answer["sheets"][1:]]}
            assert versions._agreed_elsewhere(s, facts, other_sheet, stored) is None
            for listed in (answer["sheets"][1:], [*answer["sheets"], answer["sheets"][0]]):  # one sheet short or more
                assert versions._agreed_elsewhere(s, facts, {**answer, "sheets": listed}, stored) is None
            assert versions._agreed_elsewhere(s, facts, {**answer, "marks": None}, stored) is None
            assert versions._agreed_elsewhere(s, facts, {**answer, "stored": "x"}, stored) is None
            assert versions._agreed_elsewhere(s, facts, {**answer, "fingerprint": "x"}, stored) is None
            assert s.scalar(select(Scheda.id).limit(1)) is not None
    finally:
        db.close()


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_edit_reported_as_when_recomputed_here(kind: str, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals (approved versions): an edit under the version or its sheets is reported alike by both paths."""
    tamper(demo, EDITS[kind])
    there = _messages(demo, monkeypatch, there=True)
    here = _messages(demo, monkeypatch, there=False)
    assert there and there == here


def test_no_second_process_means_recomputed_here(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals (approved versions): when the second process cannot start, the versions are verified here."""
    monkeypatch.setattr(sys, "executable", str(Path(demo).parent / "manca" / "python"))
    assert _messages(demo, monkeypatch, there=True) == []
    tamper(demo, EDITS["versione"])
    assert any("ricalcolata dai suoi dati" in m for m in _messages(demo, monkeypatch, there=True))


def test_a_stopped_second_process_is_ended_and_answers_nothing(demo: Path) -> None:
    """Seals (approved versions): a cancelled verification leaves no second process behind, and no answer."""
    con = sqlite3.connect(demo)
    try:
        text = con.execute("SELECT content_json FROM graduatoria ORDER BY version LIMIT 1").fetchone()[0]
    finally:
        con.close()
    other = elsewhere.Recheck([text] * 20)
    process = other._process
    assert process is not None
    other.stop()
    assert process.poll() is not None
    assert other.answer(text_key(text)) is None
