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

revision = "9002"
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
    body = REVISION.format(down=head, fail="raise RuntimeError('disco pieno')" if fail else "")
    (folder / "versions" / "9002_test_new_column.py").write_text(body, encoding="utf-8")
    return folder


def test_older_file_is_backed_up_then_migrated(tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a file of an older schema makes a backup copy first, then upgrades it."""
    path = tmp_path / "vecchio.valutazione"
    create_database(path, milano).close()
    original = dump(path)
    monkeypatch.setattr(dbmod, "MIGRATIONS", _newer_migrations(tmp_path, fail=False))
    db = open_database(path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "9002"
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(commissario)")]
    db.close()
    assert "telefono" in columns
    (backup,) = tmp_path.glob("vecchio.prima-di-9002-*.bak")
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
