"""A transaction left open on the server cannot hold the log's head, and every other writer, forever."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from valutazione.bando import Bando
from valutazione.db import create_database, opened
from valutazione.errors import DatabaseError
from valutazione.models import Commissario
from valutazione.server import connect
from valutazione.services import committee


def _setting(url: str, read_only: bool) -> str:
    with opened(url, read_only=read_only) as db, db.sessions() as s:
        return str(s.execute(text("SHOW idle_in_transaction_session_timeout")).scalar())


def test_every_server_session_ends_idle_transactions_after_five_minutes(pg_url: str, milano: Bando) -> None:
    """Idle-in-transaction timeout: set to 5 minutes on every session, writing or read-only."""
    create_database(pg_url, milano).close()
    assert _setting(pg_url, read_only=False) == "5min"
    assert _setting(pg_url, read_only=True) == "5min"


def test_idle_writer_loses_the_head_lock_and_the_next_writer_proceeds(
    pg_url: str, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Idle-in-transaction timeout: a writer gone idle holding the log's head is rolled back, whole."""
    create_database(pg_url, milano).close()
    monkeypatch.setattr(connect, "IDLE_IN_TRANSACTION_TIMEOUT", "1s")  # the rule, not its five minutes
    with opened(pg_url) as frozen, opened(pg_url) as other:
        stuck = frozen.sessions()
        stuck.begin()
        committee.add_member(stuck, "Anna Rossi", committee.PRESIDENTE, actor="Anna Rossi")  # holds the head
        time.sleep(2.5)  # the application freezes with its transaction open
        with other.sessions.begin() as s:
            s.execute(text("SET LOCAL lock_timeout = '10s'"))  # without the rule this would wait forever
            committee.add_member(s, "Bruno Bianchi", committee.PRESIDENTE, actor="Bruno Bianchi")
        with pytest.raises((DatabaseError, DBAPIError)):
            stuck.commit()
        stuck.close()
        with other.sessions() as s:
            assert list(s.scalars(select(Commissario.name))) == ["Bruno Bianchi"]
