"""A file made before seals existed is sealed by the 0003 upgrade, then guarded like any other."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.builders import written_before_seals
from valutazione import db as dbmod
from valutazione import seals
from valutazione.demo import build_demo
from valutazione.errors import DatabaseError


def test_upgrade_seals_the_rows_of_an_older_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows written without seals (an older version) are sealed by the upgrade; an edit after it is caught."""
    with written_before_seals(monkeypatch):
        path = build_demo(tmp_path / "vecchio.valutazione")
    con = sqlite3.connect(path)
    con.execute("DROP TABLE credenziale")  # added after the seals (0004): the file is at 0002
    for column in ("lot_code", "project_type", "quota_properties"):  # added by 0005 (lots)
        con.execute(f"ALTER TABLE domanda DROP COLUMN {column}")
    con.execute("DROP TABLE chiave_presidente")  # 0006
    con.execute("DROP TABLE ruolo_server")  # and 0007
    con.execute("DROP TABLE credenziale_referente")  # 0008
    con.execute("DROP TABLE confronto")  # 0008
    con.execute("UPDATE alembic_version SET version_num = '0002'")
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
