"""Schema migrations on open: backup first, all or nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from valutazione import db as dbmod
from valutazione.bando import Bando
from valutazione.db import create_database, open_database

REVISION = '''
"""test: a new column"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commissario") as batch:
        batch.add_column(sa.Column("telefono", sa.Text(), nullable=True))
    op.execute("UPDATE commissario SET telefono = 'x'")
    {fail}


def downgrade() -> None:
    pass
'''


NEXT = f"{int(dbmod.head_revision()) + 1:04d}"  # the revision the next version of the app would add


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _newer_migrations(tmp_path: Path, fail: bool) -> Path:
    """A copy of our migrations plus one newer revision, as the next version of the app would ship."""
    folder = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    head = dbmod.head_revision()
    body = REVISION.format(rev=NEXT, down=head, fail="raise RuntimeError('disco pieno')" if fail else "")
    (folder / "versions" / f"{NEXT}_test_new_column.py").write_text(body, encoding="utf-8")
    return folder


def test_older_file_is_backed_up_then_migrated(tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a file of an older schema makes a backup copy first, then upgrades it."""
    path = tmp_path / "vecchio.valutazione"
    create_database(path, milano).close()
    original = dump(path)
    monkeypatch.setattr(dbmod, "MIGRATIONS", _newer_migrations(tmp_path, fail=False))
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == NEXT
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(commissario)")]
    db.close()
    assert "telefono" in columns
    (backup,) = tmp_path.glob(f"vecchio.prima-di-{NEXT}-*.bak")
    assert dump(backup) == original


def test_failed_migration_changes_nothing(tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration that fails midway leaves the file exactly at its old schema and content."""
    path = tmp_path / "vecchio.valutazione"
    create_database(path, milano).close()
    monkeypatch.setattr(dbmod, "MIGRATIONS", _newer_migrations(tmp_path, fail=True))
    with pytest.raises(RuntimeError, match="disco pieno"):
        open_database(path)
    monkeypatch.undo()
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == dbmod.head_revision()
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(commissario)")]
    db.close()
    assert "telefono" not in columns


def _migrations_until(tmp_path: Path, last: str) -> Path:
    """A copy of our migrations without those after ``last``: what an older version of the app shipped."""
    folder = tmp_path / f"migrazioni-{last}"
    shutil.copytree(dbmod.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for newer in (folder / "versions").glob("*.py"):
        if newer.name[:4] > last:
            newer.unlink()
    return folder


def _audit_indexes(path: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(path)
    try:
        return {
            name: [c[2] for c in con.execute(f"PRAGMA index_info('{name}')")]
            for _seq, name, unique, *_ in con.execute("PRAGMA index_list('audit')")
            if unique or name == "ix_audit_action"
        }
    finally:
        con.close()


def test_0012_rebuilds_the_log_without_its_hash_index(
    tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file made at 0011 (a unique index on the log's hashes) keeps every log row, id and hash, its chain
    and seals, its index on ``action`` and its append-only triggers; only the unique index goes."""
    from tests.builders import State, committee_file
    from valutazione import seals

    path = tmp_path / "vecchio.valutazione"
    monkeypatch.setattr(dbmod, "MIGRATIONS", _migrations_until(tmp_path, "0011"))
    committee_file(path, State.PROVISIONAL, bando=milano)
    assert _audit_indexes(path) == {"ix_audit_action": ["action"], "sqlite_autoindex_audit_1": ["hash"]}
    con = sqlite3.connect(path)
    rows = con.execute("SELECT * FROM audit ORDER BY id").fetchall()
    con.close()
    assert len(rows) > 100
    monkeypatch.undo()

    with dbmod.opened(path) as db, db.sessions() as s:
        assert seals.verify_file(s).ok
    assert _audit_indexes(path) == {"ix_audit_action": ["action"]}
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT * FROM audit ORDER BY id").fetchall() == rows
        for statement in ("UPDATE audit SET actor = 'x' WHERE id = 1", "DELETE FROM audit WHERE id = 1"):
            with pytest.raises(sqlite3.IntegrityError, match="registro delle decisioni"):
                con.execute(statement)
    finally:
        con.close()
    assert len(list(tmp_path.glob("vecchio.prima-di-0012-*.bak"))) == 1
