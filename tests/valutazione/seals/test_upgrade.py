"""A file made before seals existed is sealed by the 0002 upgrade, then guarded like any other."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from valutazione import db as dbmod
from valutazione import seals
from valutazione.demo import build_demo
from valutazione.errors import DatabaseError
from valutazione.seals import rows


def test_upgrade_seals_the_rows_of_an_older_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows written without seals (an older version) are sealed by the upgrade; an edit after it is caught."""
    monkeypatch.setattr(dbmod.Database, "_guard_writes", lambda *_args: None)
    monkeypatch.setattr(seals, "require_intact", lambda _s: None)
    event.remove(Session, "after_flush", rows._collect)
    event.remove(Session, "after_flush_postexec", rows._seal)
    try:
        path = build_demo(tmp_path / "vecchio.valutazione")
    finally:
        event.listen(Session, "after_flush", rows._collect)
        event.listen(Session, "after_flush_postexec", rows._seal)
    monkeypatch.undo()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0001'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="schema precedente"):
        dbmod.open_database(path, read_only=True)  # a read-only opening does not migrate
    db = dbmod.open_database(path)
    try:
        with db.sessions() as s:
            assert seals.verify_seals(s) == []
    finally:
        db.close()
    con = sqlite3.connect(path)
    con.execute("UPDATE soccorso SET note = 'modificata'")
    con.commit()
    con.close()
    with dbmod.opened(path, read_only=True) as db, db.sessions() as s:
        assert [b.kind for b in seals.verify_seals(s)] == ["soccorso"]
