"""Log rows appended in one statement (``audit.record_many``) chain exactly as rows appended one by one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from valutazione import audit
from valutazione.db import Database
from valutazione.models import AuditRow, BandoRow

ENTRIES: list[audit.Entry] = [
    ("Anna Rossi", "prova.lotto", "domanda", "P1", None, {"valore": Decimal("0.75"), "motivo": "àè"}),
    ("Anna Rossi", "prova.lotto", "domanda", "P2", {"a": 1}, {"a": 2}),
    ("sistema", "sigillo", "conflitto", 3, None, {"sha256": "0" * 64}),
]


@pytest.mark.both_engines
def test_batch_rows_follow_pending_rows_and_chain_like_single_ones(db: Database) -> None:
    """A batch goes after the rows still pending, each row chained to the previous, and the head moves."""
    with db.sessions.begin() as s:
        audit.record(s, "Anna Rossi", "prova.prima", "bando", 1, None, {"x": 1}, flush=False)
        audit.record_many(s, ENTRIES)
        audit.record(s, "Anna Rossi", "prova.dopo", "bando", 1, None, {"x": 2})
    with db.sessions() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        head = s.scalar(select(BandoRow.audit_head))
        assert audit.verify_chain(s).ok
    assert [r.action for r in rows[-5:]] == ["prova.prima", "prova.lotto", "prova.lotto", "sigillo", "prova.dopo"]
    batch = rows[-4:-1]
    assert [(r.actor, r.entity, r.entity_id) for r in batch] == [(a, e, str(i)) for a, _x, e, i, _b, _f in ENTRIES]
    assert [r.after_json for r in batch] == [audit.canonical_json(entry[5]) for entry in ENTRIES]
    assert [r.before_json for r in batch] == ["null", '{"a":1}', "null"]
    assert [r.prev_hash for r in rows[-4:]] == [r.hash for r in rows[-5:-1]]
    assert head == rows[-1].hash


def test_batch_moves_the_head_at_once(db: Database) -> None:
    """The call's head names the batch's last row as soon as the batch is written, before any flush."""
    with db.sessions.begin() as s:
        audit.record_many(s, ENTRIES)
        last = s.scalars(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).one()
        with s.no_autoflush:
            assert s.connection().execute(select(BandoRow.audit_head)).scalar_one() == last
        assert audit.verify_chain(s).ok


def test_empty_batch_writes_nothing(db: Database) -> None:
    """No entries, no rows: the log is untouched."""
    with db.sessions.begin() as s:
        before = s.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
        audit.record_many(s, [])
        assert s.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)) == before
