"""Seals and the append-only log hold the same way on a file and on the server (tampering with raw SQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.builders import CommitteeFile, State
from valutazione import seals
from valutazione.db import opened

pytestmark = pytest.mark.both_engines


def _tamper(committee: CommitteeFile, statement: str) -> seals.SealReport:
    """Runs ``statement`` underneath the application (no session, no hook), then verifies as `audit verify`."""
    with opened(committee.path) as db:
        with db.engine.begin() as conn:
            conn.execute(text(statement))
        with db.sessions() as s:
            return seals.verify_file(s)


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE voto SET value = '0.1' WHERE id = (SELECT min(id) FROM voto)", "Scheda"),
        ("UPDATE ammissibilita SET reason = 'altro' WHERE id = (SELECT min(id) FROM ammissibilita)", "ammissibilità"),
        ("DELETE FROM dichiarazione WHERE id = (SELECT max(id) FROM dichiarazione)", "Dichiarazione"),
        ("UPDATE graduatoria SET content_json = replace(content_json, '1', '2') WHERE version = 1", "Graduatoria"),
        ("UPDATE bando SET rules_json = replace(rules_json, '\"', '\"') || ' '", "regole"),
    ],
)
def test_edit_underneath_is_caught_on_both_engines(
    build_committee: Callable[..., CommitteeFile], statement: str, named: str
) -> None:
    """A decisive fact changed with raw SQL breaks its seal, on SQLite and on PostgreSQL alike."""
    committee = build_committee(State.DEFINITIVE)
    with opened(committee.path, read_only=True) as db, db.sessions() as s:
        assert seals.verify_file(s).ok
    report = _tamper(committee, statement)
    assert not report.ok
    assert any(named.lower() in b.message.lower() for b in report.broken), [b.message for b in report.broken]


def test_log_refuses_update_and_delete_on_both_engines(build_committee: Callable[..., CommitteeFile]) -> None:
    """The audit log's triggers refuse UPDATE and DELETE on either engine, with the same Italian words."""
    committee = build_committee(State.IMPORTED)
    with opened(committee.path) as db:
        for statement, words in (
            ("UPDATE audit SET actor = 'altri'", "non si modifica"),
            ("DELETE FROM audit", "non si cancella"),
        ):
            with pytest.raises(DBAPIError, match=words), db.engine.begin() as conn:
                conn.execute(text(statement))
