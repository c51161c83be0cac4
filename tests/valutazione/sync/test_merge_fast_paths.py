"""The merge's fast paths write exactly what the general ones wrote: spelling, driver inserts, one check."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Table, insert, select

from tests.builders import chair_fingerprint, confirmed_key
from tests.valutazione.seals.test_seals import SUBMITTED_MARK, sealed_template, tamper
from tests.valutazione.seals.test_verify_memo import demo
from tests.valutazione.sync import helpers
from tests.valutazione.sync.helpers import build_chair, work_offline
from valutazione import audit, bulk, seals
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import Database, open_database
from valutazione.models import AuditRow
from valutazione.projects.tables import Referente
from valutazione.seals import memo
from valutazione.services.sheets import content_hash, marks_content
from valutazione.sync import returned_sheet
from valutazione.sync.merge_rows import Tails

__all__ = ["demo", "sealed_template"]  # fixtures shared with the seals' tests

MARKS = [
    ("B2", Decimal("0.50"), "Coerente con il «piano» \\ economico\n"),
    ("A1", Decimal("1"), 'Virgolette "doppie" e àèìòù €'),
    ("C3", None, ""),
    ("A10", Decimal("0.333"), "\u2028 separatore, \t tab, \x7f e 😀"),
]


def test_spelled_content_hashes_and_logs_as_the_encoder_spells_it() -> None:
    """Sheet hash and log row: members spelled one by one and joined equal the whole content encoded at once."""
    content = marks_content("BANDO-2025", "Anna Rossi", "P-0001/à", MARKS)
    members = {name: audit.spelled(value) for name, value in content.items()}
    text = audit.canonical_object(members)
    assert text == audit.canonical_json(content)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == content_hash(content)
    digest = content_hash(content)
    logged = {**members, "hash": audit.spelled(digest), "pacchetto": audit.spelled(7)}
    assert audit.canonical_object(logged) == audit.canonical_json({**content, "hash": digest, "pacchetto": 7})
    assert audit.canonical_object({}) == audit.canonical_json({}) == "{}"
    assert audit.spelled(None) == "null" and audit.spelled(audit.Canonical('{"a":1}')) == '{"a":1}'


def test_returned_sheet_spelled_directly_is_the_encoders_text() -> None:
    """Sheet hash: the merge's direct spelling of a returned sheet equals ``marks_content`` encoded."""
    for marks in (MARKS, MARKS[:1], [], [("Z", Decimal("1E+1"), "ß"), ("z", Decimal("-0.0"), "")]):
        content = marks_content("BANDO/«2025»", 'Anna "Rossi"', "P-0001\\n", marks)
        spelled = returned_sheet.spelled_content("BANDO/«2025»", 'Anna "Rossi"', "P-0001\\n", marks)
        assert spelled == {name: audit.canonical_json(value) for name, value in content.items()}
        assert returned_sheet.digest(spelled) == content_hash(content)


def test_tails_kept_for_a_return_spell_each_sheet_as_the_encoder() -> None:
    """Sheet hash: with the code-and-mark spellings kept across a return's sheets, each sheet is still spelled
    as ``marks_content`` encoded, equal marks written apart (0.5 and 0.50, 0 and -0) included."""
    sheets = [
        MARKS,
        [("B2", Decimal("0.5"), "x"), ("A1", Decimal("1.0"), "y"), ("C3", None, "z")],
        [("B2", Decimal("0.50"), "\u2028"), ("A1", Decimal("1"), ""), ("C3", Decimal("-0"), '"')],
        [("B2", Decimal("5E-1"), "\\"), ("A1", Decimal("1E+1"), "\x00"), ("C3", Decimal("0"), "")],
        [("B2", Decimal("0.50"), "ß"), ("A1", Decimal("10"), "a"), ("C3", Decimal("0.000"), "b")],
    ]
    tails: Tails = {}
    for marks in sheets * 2:
        content = marks_content("BANDO-2025", "Anna Rossi", "P-1", marks)
        spelled = returned_sheet.spelled_content("BANDO-2025", "Anna Rossi", "P-1", marks, tails)
        assert spelled == {name: audit.canonical_json(value) for name, value in content.items()}


def test_canonical_values_are_logged_as_spelled(db: Database) -> None:
    """Audit batch: a pre-spelled value is stored byte for byte and the chain still verifies."""
    spelled = audit.canonical_json({"b": [1, "è"], "a": None})
    with db.sessions.begin() as s:
        audit.record_many(s, [("Anna Rossi", "prova.lotto", "bando", 1, None, audit.Canonical(spelled))])
        audit.record(s, "Anna Rossi", "prova.dopo", "bando", 1, None, {"b": [1, "è"], "a": None})
    with db.sessions() as s:
        rows = s.execute(select(AuditRow.after_json).order_by(AuditRow.id.desc()).limit(2)).scalars()
        assert list(rows) == [spelled, spelled]
        assert audit.verify_chain(s).ok


@pytest.mark.both_engines
def test_driver_insert_stores_what_core_stores(db: Database) -> None:
    """Bulk rows: times and texts through the driver are stored as the same text a Core INSERT stores."""
    table = AuditRow.__table__
    assert isinstance(table, Table)
    at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    values = {"at": at, "actor": "Anna «R»", "action": "prova.x", "entity": "bando", "entity_id": "1"}
    values |= {"before_json": "null", "after_json": '{"a":"è"}', "prev_hash": "0" * 64}
    with db.sessions.begin() as s:
        connection = s.connection()
        s.execute(insert(table), [{**values, "hash": "1" * 64}])
        columns = (*values, "hash")
        bulk.insert_rows(connection, table, columns, [(*values.values(), "2" * 64)])
        stamp = bulk.binders(connection, table, ("at",))[0]
        assert stamp is not None
        bound = (stamp(at), *list(values.values())[1:], "3" * 64)
        bulk.insert_rows(connection, table, columns, [bound], bound=True)
        stored = connection.exec_driver_sql(
            "SELECT at, actor, action, entity, entity_id, before_json, after_json, prev_hash FROM audit "
            "WHERE action = 'prova.x' ORDER BY hash"
        ).all()
        assert len(stored) == 3 and len(set(stored)) == 1
        assert stored[0][0] == "2025-03-01T09:30:00.000000+00:00"
        s.rollback()


def test_merge_keeps_the_report_of_its_own_check(demo: Path) -> None:
    """Seals before a merge: the first write keeps ``require_intact``'s report instead of verifying again."""
    db = open_database(demo)
    try:
        with db.sessions.begin() as s:
            seals.require_intact(s)
            report = memo.remembered(s)
            assert report is not None and report.ok
            s.add(Referente(name="Dopo la verifica"))
            s.flush()
            assert db.seals is report
    finally:
        db.close()


def test_hand_edit_after_the_check_still_refuses_the_first_write(demo: Path) -> None:
    """Write guard: an edit by another connection after ``require_intact`` is caught at the first write."""
    db = open_database(demo)
    try:
        with db.sessions() as s:
            seals.require_intact(s)
        tamper(demo, SUBMITTED_MARK)
        with pytest.raises(seals.BrokenSealError, match="Scheda di Nadia Cattaneo"):
            with db.sessions.begin() as s:
                assert memo.remembered(s) is None
                s.add(Referente(name="Dopo la modifica"))
    finally:
        db.close()
    con = sqlite3.connect(demo)
    try:
        assert con.execute("SELECT count(*) FROM referente WHERE name = 'Dopo la modifica'").fetchone() == (0,)
    finally:
        con.close()


@pytest.mark.both_engines
def test_merge_on_either_engine_leaves_chain_and_seals_intact(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str], target: Callable[[str], Path | str]
) -> None:
    """Merge on a file or a server: the rows written through the driver verify (chain, seals, signatures)."""
    chair_path = target("bando")
    build_chair(chair_path, milano).close()
    pkg, ret = tmp_path / "laptop" / "bruno.valpkg", tmp_path / "bruno.valret"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    assert main(["package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg))]) == 0
    work_offline(pkg, "Bruno Verdi")
    assert main(["package", "return", str(pkg), "-o", str(ret)]) == 0
    assert main(["package", "merge", str(chair_path), str(ret), "--trust-key", str(confirmed_key(ret))]) == 0
    assert "scheda di Bruno Verdi inviata" in capsys.readouterr().out
    db = open_database(chair_path, read_only=True)
    try:
        with db.sessions() as s:
            report = seals.verify_file(s)
            sent = s.scalars(select(AuditRow.after_json).where(AuditRow.action == "scheda.inviata")).all()
            stamps = s.scalars(select(AuditRow.at).order_by(AuditRow.id.desc()).limit(5)).all()
    finally:
        db.close()
    assert report.ok, report.message
    assert sent and all(text == audit.canonical_json(json.loads(text)) for text in sent)
    assert all(at.tzinfo is not None for at in stamps)


def test_awkward_motivazioni_are_hashed_and_logged_as_the_encoder_spells_them(
    tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Merge fast paths: motivazioni with quotes, backslashes, control characters and U+2028 pass the sheets'
    hash check, and their log rows (content spelled in parts, quoted in the hash by replacements) chain."""

    def awkward(member: str, protocol: str, code: str) -> str:
        return f'«{code}» "{member}" \\ \\" \x01\x1f\t\n\u2028\u2029\x7f 😀 {protocol}'

    monkeypatch.setattr(helpers, "motivazione", awkward)
    chair = build_chair(tmp_path / "bando.valutazione", milano)
    try:
        pkg = helpers.export(chair, "Bruno Verdi", tmp_path / "laptop" / "bruno.valpkg")
        work_offline(pkg, "Bruno Verdi")
        ret = helpers.give_back(pkg, tmp_path / "bruno.valret", helpers.key_for(tmp_path, "Bruno Verdi"))
        helpers.merge(chair, ret)
        with chair.sessions() as s:
            assert audit.verify_chain(s).ok
            sent = s.scalars(select(AuditRow.after_json).where(AuditRow.action == "scheda.inviata")).all()
    finally:
        chair.close()
    assert sent and all(text == audit.canonical_json(json.loads(text)) for text in sent)
    assert all("\u2028" in json.loads(text)["voti"][0]["motivazione"] for text in sent)
