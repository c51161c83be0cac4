"""A file found intact is not verified again until another connection writes it (``seals.memo``), and
a hand edit made under the running program is caught at the next export or write all the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.valutazione.seals.test_seals import SUBMITTED_MARK, sealed_template, tamper
from tests.valutazione.seals.test_verify_memo import demo
from valutazione import seals
from valutazione.db import open_database
from valutazione.projects.tables import Referente
from valutazione.seals import memo

__all__ = ["demo", "sealed_template"]  # fixtures shared with test_verify_memo and test_seals


def test_intact_file_remembered_until_another_connection_commits(demo: Path) -> None:
    """Seals before exports: remembered after a passing check; a hand edit since makes the next check full."""
    db = open_database(demo)
    try:
        with db.sessions() as s:
            assert memo.seen(s) is None
            seals.require_intact(s)
            assert memo.seen(s) is True
        with db.sessions() as s:
            assert memo.seen(s) is True  # same connection, nothing written by anyone else
        tamper(demo, SUBMITTED_MARK)
        with db.sessions() as s:
            assert memo.seen(s) is False
            with pytest.raises(seals.BrokenSealError, match="Scheda di Nadia Cattaneo"):
                seals.require_intact(s)
            assert memo.seen(s) is False  # a failed check is never remembered
    finally:
        db.close()


def test_hand_edit_after_the_first_write_refuses_the_next_write(demo: Path) -> None:
    """Write guard: an edit by another connection after the program's first write stops its next write."""
    db = open_database(demo)
    try:
        with db.sessions.begin() as s:
            s.add(Referente(name="Primo referente"))
        tamper(demo, SUBMITTED_MARK)
        with pytest.raises(seals.BrokenSealError, match="Scheda di Nadia Cattaneo"):
            with db.sessions.begin() as s:
                s.add(Referente(name="Secondo referente"))
    finally:
        db.close()
    check = open_database(demo, read_only=True)
    try:
        with check.sessions() as s:
            names = [r.name for r in s.query(Referente).all()]
    finally:
        check.close()
    assert "Primo referente" in names and "Secondo referente" not in names
