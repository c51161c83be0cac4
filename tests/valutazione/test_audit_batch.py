"""Log rows appended in one statement (``audit.record_many``) chain exactly as rows appended one by one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from json.encoder import encode_basestring

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table, select

from valutazione import audit, bulk
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


# JSON texts as the merge assembles them from quoted parts: every character that needs an escape
AWKWARD = [
    {"motivazione": 'virgolette "doppie", \\ rovescia, \\" entrambe', "valore": "0.50"},
    {"x": "".join(map(chr, range(32))) + "\x7f\x80\xa0\u2028\u2029\ufeff😀"},
    ["\\", '"', "\\\\", '\\"', "", "àèìòù €"],
    "\ud800 surrogato solo",
    None,
]


@pytest.mark.parametrize("value", AWKWARD)
def test_assembled_text_is_quoted_as_the_encoder_quotes_it(value: object) -> None:
    """Log hash: a text without characters below U+0020 is quoted by the two replacements as by the encoder."""
    text = audit.canonical_json(value)
    assert audit._quoted_assembled(text) == encode_basestring(text)


@given(st.recursive(st.none() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_any_canonical_text_is_quoted_as_the_encoder_quotes_it(value: object) -> None:
    """Log hash: whatever ``canonical_json`` spells holds no raw control character, so either quoting agrees."""
    text = audit.canonical_json(value)
    assert audit._quoted_assembled(text) == encode_basestring(text)


def test_assembled_rows_chain_as_any_other(db: Database) -> None:
    """A batch of assembled values verifies as the general rows do, and a value that is not assembled (here
    with a raw line break, which the replacements would leave unescaped) keeps the encoder's quoting."""
    texts = [audit.canonical_json(value) for value in AWKWARD if value != "\ud800 surrogato solo"]
    entries: list[audit.Entry] = [
        ("Anna «R»", "prova.lotto", "scheda", i, None, audit.Canonical(text, assembled=True))
        for i, text in enumerate(texts)
    ]
    entries.append(("Anna «R»", "prova.lotto", "scheda", 99, None, audit.Canonical('"a\nb\\"c"')))
    with db.sessions.begin() as s:
        audit.record_many(s, entries)
    with db.sessions() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(len(entries))).all()[::-1]
        assert audit.verify_chain(s).ok
    assert [r.after_json for r in rows] == [*texts, '"a\nb\\"c"']
    for r in rows:
        fields = (r.actor, r.action, r.entity, r.entity_id, r.before_json, r.after_json)
        assert r.hash == audit.row_hash(r.prev_hash, r.at, *fields)


# instants of the clock: on the whole second, its first and last microsecond, the next second, back in time to
# a leap day's last microsecond, the day after, before 1970, the epoch, then the first second again
INSTANTS = [
    datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    datetime(2025, 3, 1, 9, 30, 0, 1, tzinfo=UTC),
    datetime(2025, 3, 1, 9, 30, 0, 999999, tzinfo=UTC),
    datetime(2025, 3, 1, 9, 30, 1, tzinfo=UTC),
    datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2024, 3, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2025, 3, 1, 9, 30, 0, 500000, tzinfo=UTC),
]


@pytest.mark.both_engines
def test_batch_times_are_stored_and_hashed_as_the_column_and_isoformat_spell_them(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log rows in bulk: at each instant the clock gives (nanoseconds floored to the microsecond) the time
    stored is the ``UTCDateTime`` column's text and the one hashed its ``isoformat()``, as for one row."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    clock = iter([(at - epoch) // timedelta(microseconds=1) * 1_000 + 999 for at in INSTANTS])
    monkeypatch.setattr(audit, "time_ns", lambda: next(clock))
    table = AuditRow.__table__
    assert isinstance(table, Table)
    with db.sessions.begin() as s:
        audit.record_many(s, [("Anna Rossi", "prova.ora", "bando", i, None, None) for i in range(len(INSTANTS))])
        stamp = bulk.binders(s.connection(), table, ("at",))[0]
        query = "SELECT at FROM audit WHERE action = 'prova.ora' ORDER BY id"
        stored = s.connection().exec_driver_sql(query).scalars().all()
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "prova.ora").order_by(AuditRow.id)).all()
    assert stamp is not None
    assert stored == [stamp(at) for at in INSTANTS]
    for r, at in zip(rows, INSTANTS, strict=True):
        fields = (r.actor, r.action, r.entity, r.entity_id, r.before_json, r.after_json)
        assert r.hash == audit.row_hash(r.prev_hash, at, *fields)
