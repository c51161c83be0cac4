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


TAMPERING = {
    "UPDATE voto SET value = '0.1' WHERE id = (SELECT min(id) FROM voto)": "scheda",
    "UPDATE ammissibilita SET reason = 'altro' WHERE id = (SELECT min(id) FROM ammissibilita)": "ammissibilita",
    "DELETE FROM dichiarazione WHERE id = (SELECT max(id) FROM dichiarazione)": "dichiarazione",
    "UPDATE graduatoria SET content_json = replace(content_json, '1', '2') WHERE version = 1": "graduatoria",
    "UPDATE bando SET rules_json = rules_json || ' '": "regole",
}


def test_edits_underneath_are_each_caught_on_both_engines(build_committee: Callable[..., CommitteeFile]) -> None:
    """Decisive facts changed with raw SQL (no session, no hook) each break their seal, on SQLite and on
    PostgreSQL alike, and verification lists every one of them."""
    committee = build_committee(State.DEFINITIVE)
    with opened(committee.path) as db:
        with db.sessions() as s:
            assert seals.verify_file(s).ok
        with db.engine.begin() as conn:
            for statement in TAMPERING:
                conn.execute(text(statement))
        with db.sessions() as s:
            report = seals.verify_file(s)
    assert {b.kind for b in report.broken} == set(TAMPERING.values()), [b.message for b in report.broken]


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
