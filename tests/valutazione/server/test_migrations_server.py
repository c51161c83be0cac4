"""Schema migrations on a server: the same revisions as on a file, in one transaction, no backup needed."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect, select

from tests.builders import MEMBERS, Builder, State, committee_file, new_file, written_before_seals
from tests.pgcluster import PgCluster
from tests.server.test_forged_log_rows import INSERT_AUDIT
from tests.valutazione.test_migrations import NEXT, _newer_migrations
from valutazione import audit, seals
from valutazione import db as dbmod
from valutazione.bando import Bando
from valutazione.errors import DatabaseError
from valutazione.models import AuditRow, utcnow
from valutazione.server import policies, roles


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


_OLD_LOG_INSERT = "actor = valutazione_nome() OR (actor = 'sistema' AND action = 'sigillo')"


def test_0011_installs_the_new_log_rules_on_a_prepared_server(pg_server: PgCluster, pg_url: str, milano: Bando) -> None:
    """A server prepared by an earlier ``server init`` gets the current rules when its owner opens it: a
    componente's forged decision, accepted before, is refused after, and the file still verifies."""
    db = new_file(pg_url, milano)
    try:
        Builder(db).sample().committee(MEMBERS)
    finally:
        db.close()
    roles.init(pg_url)
    password = secrets.token_urlsafe(16)
    login = roles.add_member(pg_url, "Carla Verdi", password, login=f"carla_{secrets.token_hex(3)}")
    pg_server.add_password(login, password)
    with pg_server.connect(_database(pg_url)) as owner:  # the rules as revision 0010's init left them
        for role in policies.ROLES:
            owner.execute(f"DROP POLICY audit_insert_{role} ON audit")
            owner.execute(
                f"CREATE POLICY audit_insert_{role} ON audit FOR INSERT TO {policies.group_role(role)} "
                f"WITH CHECK (valutazione_ruolo() = '{role}' AND ({_OLD_LOG_INSERT}))"
            )
        owner.execute("DROP TRIGGER valutazione_riga_vera ON audit")
        owner.execute("DROP FUNCTION valutazione_riga_vera(), valutazione_riga_ammessa(text, text, text, text, text)")
        owner.execute("UPDATE alembic_version SET version_num = '0010'")

    def forged_decision_taken() -> bool:
        with psycopg.connect(pg_server.conninfo(_database(pg_url), user=login), autocommit=True) as conn:
            head = str(conn.execute("SELECT audit_head FROM bando").fetchone()[0])  # type: ignore[index]
            at = utcnow()
            after = audit.canonical_json({"esito": "non_ammissibile", "motivo": "falso"})
            digest = audit.row_hash(head, at, "Carla Verdi", "ammissibilita.decisa", "domanda", "PG 1", "null", after)
            row = (at.isoformat(timespec="microseconds"), "Carla Verdi", "ammissibilita.decisa", "domanda", "PG 1")
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(INSERT_AUDIT, (*row, "null", after, head, digest))
                return True
            except psycopg.errors.InsufficientPrivilege:
                return False

    assert forged_decision_taken()
    with dbmod.opened(pg_url) as db, db.sessions() as s:
        assert s.scalar(select(AuditRow.actor).order_by(AuditRow.id.desc()).limit(1)) == "aggiornamento 0011"
        assert seals.verify_file(s).ok
    assert not forged_decision_taken()


def _audit_unique(conn: psycopg.Connection) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'audit'::regclass AND contype = 'u'"
        ).fetchall()
    ]


def test_0012_drops_the_unique_hash_constraint_on_the_server(pg_server: PgCluster, pg_url: str) -> None:
    """A server database made at 0011 loses the unique constraint on the log's hashes (a new one never has
    it), and its chain and seals still verify."""
    committee_file(pg_url, State.SUBMITTED)
    with pg_server.connect(_database(pg_url)) as owner:  # as revision 0001 made it
        assert _audit_unique(owner) == []
        owner.execute("ALTER TABLE audit ADD CONSTRAINT audit_hash_key UNIQUE (hash)")
        owner.execute("UPDATE alembic_version SET version_num = '0011'")
        assert _audit_unique(owner) == ["audit_hash_key"]
    with dbmod.opened(pg_url) as db, db.sessions() as s:
        assert seals.verify_file(s).ok
    with pg_server.connect(_database(pg_url)) as owner:
        assert _audit_unique(owner) == []
        (version,) = owner.execute("SELECT version_num FROM alembic_version").fetchall()
        assert version == (dbmod.head_revision(),)
