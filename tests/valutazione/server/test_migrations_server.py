"""Schema migrations on a server: the same revisions as on a file, in one transaction, no backup needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.builders import State, committee_file, written_before_seals
from tests.pgcluster import PgCluster
from tests.valutazione.test_migrations import NEXT, _newer_migrations
from valutazione import db as dbmod
from valutazione import seals
from valutazione.bando import Bando
from valutazione.errors import DatabaseError


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_0003_seals_an_older_server_database(
    pg_server: PgCluster, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server database at 0002 (rows without seals) is sealed by 0003 and guarded afterwards."""
    with written_before_seals(monkeypatch):
        committee_file(pg_url, State.ADMISSIBILITY, folder=tmp_path)
    with pg_server.connect(_database(pg_url)) as conn:
        conn.execute("DROP TABLE credenziale")  # added after the seals (0004): the database is at 0002
        for column in ("lot_code", "project_type", "quota_properties"):  # added by 0005
            conn.execute(f"ALTER TABLE domanda DROP COLUMN {column}")
        conn.execute("DROP TABLE chiave_presidente")  # added by 0006
        conn.execute("DROP TABLE ruolo_server")  # and 0007
        conn.execute("DROP TABLE credenziale_referente")  # 0008
        conn.execute("DROP TABLE confronto")  # 0008
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
    with pytest.raises(DatabaseError, match="schema precedente"):
        dbmod.open_database(pg_url, read_only=True)  # a read-only opening does not migrate
    with dbmod.opened(pg_url) as db, db.sessions() as s:
        assert seals.verify_seals(s) == []
        assert "credenziale" in inspect(s.connection()).get_table_names()
    with pg_server.connect(_database(pg_url)) as conn:
        conn.execute("UPDATE ammissibilita SET reason = 'modificata' WHERE id = 1")
    with dbmod.opened(pg_url, read_only=True) as db, db.sessions() as s:
        assert [b.kind for b in seals.verify_seals(s)] == ["ammissibilita"]


def test_newer_revision_applies_on_the_server(
    pg_url: str, milano: Bando, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a server database of an older schema upgrades it (batch operations run as plain ALTERs)."""
    dbmod.create_database(pg_url, milano).close()
    monkeypatch.setattr(dbmod, "MIGRATIONS", _newer_migrations(tmp_path, fail=False))
    with dbmod.opened(pg_url) as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == NEXT
        assert "telefono" in {c["name"] for c in inspect(conn).get_columns("commissario")}


def test_failed_migration_on_the_server_changes_nothing(
    pg_url: str, milano: Bando, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration failing midway is rolled back whole by PostgreSQL: old schema, old revision."""
    dbmod.create_database(pg_url, milano).close()
    monkeypatch.setattr(dbmod, "MIGRATIONS", _newer_migrations(tmp_path, fail=True))
    with pytest.raises(RuntimeError, match="disco pieno"):
        dbmod.open_database(pg_url)
    monkeypatch.undo()
    with dbmod.opened(pg_url) as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == dbmod.head_revision()
        assert "telefono" not in {c["name"] for c in inspect(conn).get_columns("commissario")}
    assert not list(tmp_path.glob("*.bak"))
