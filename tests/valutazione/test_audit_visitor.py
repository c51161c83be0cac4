"""The chain check hands the rows a visitor asked for, as it reads them, and says when it read them all."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from tests.builders import new_file
from valutazione import audit
from valutazione.bando import Bando
from valutazione.db import Database, open_database
from valutazione.models import AuditRow

HOSTILE = 'virgolette " \\ a capo\n\x00 è 🙂'


class Keep:
    actions = frozenset({"prova.tenuta", "sigillo"})

    def __init__(self) -> None:
        self.rows: list[tuple[int, datetime, str, str, str, str]] = []
        self.done = False

    def row(self, row_id: int, at: datetime, action: str, entity: str, entity_id: str, after: str) -> None:
        self.rows.append((row_id, at, action, entity, entity_id, after))

    def finished(self) -> None:
        self.done = True


def _fill(db: Database) -> None:
    with db.sessions.begin() as s:
        for i in range(5):
            audit.record(s, HOSTILE, "prova.tenuta", "scheda", i, None, {"t": HOSTILE, "i": i}, flush=False)
            audit.record(s, "x", "prova.altra", "scheda", i, None, {"i": i}, flush=False)
        audit.record(s, "sistema", "sigillo", "conflitto", 3, None, {"sha256": "0" * 64})


def test_visitor_gets_exactly_its_rows_as_the_log_holds_them(db: Database) -> None:
    """Audit chain: a visitor receives every row of its actions, in chain order, with the stored values."""
    _fill(db)
    keep = Keep()
    with db.sessions() as s:
        assert audit.verify_chain(s, visitor=keep).ok
        expected = s.execute(
            select(AuditRow.id, AuditRow.at, AuditRow.action, AuditRow.entity, AuditRow.entity_id, AuditRow.after_json)
            .where(AuditRow.action.in_(keep.actions))
            .order_by(AuditRow.id)
        ).all()
    assert keep.rows == [tuple(r) for r in expected] and len(keep.rows) == 6
    assert keep.done


def test_visitor_is_not_told_finished_when_the_chain_breaks(tmp_path: Path, milano: Bando) -> None:
    """Audit chain: after an edited row the visitor is never told it saw the whole log."""
    path = tmp_path / "registro.valutazione"
    db = new_file(path, milano)
    try:
        _fill(db)
    finally:
        db.close()
    con = sqlite3.connect(path)
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_no_update")
        con.execute("UPDATE audit SET actor = 'altro' WHERE action = 'prova.altra' AND entity_id = '2'")
        con.commit()
    finally:
        con.close()
    db = open_database(path, read_only=True)
    keep = Keep()
    try:
        with db.sessions() as s:
            report = audit.verify_chain(s, visitor=keep)
    finally:
        db.close()
    assert not report.ok and "modificata" in report.message
    assert not keep.done and 0 < len(keep.rows) < 6
