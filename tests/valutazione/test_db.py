"""The store: pragmas, self-contained rules, refused newer files, schema constraints, the audit chain."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from valutazione import audit
from valutazione import db as dbmod
from valutazione.bando import Bando, default_template, load_bando
from valutazione.db import Database, backup_to, create_database, head_revision, open_database
from valutazione.errors import DatabaseError, SchemaTooNewError
from valutazione.models import Commissario


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pragmas_on_every_connection(db: Database) -> None:
    """foreign_keys ON, WAL journal and synchronous FULL: a committed score survives a power cut."""
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_new_files_have_large_pages_older_files_keep_theirs(
    tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new file takes 16 KiB pages (a sent sheet's log row no longer fills a page of its own); a file
    made with SQLite's default 4 KiB pages, as earlier versions made them, keeps them and takes new rows."""

    def page_size(path: Path) -> int:
        con = sqlite3.connect(path)
        try:
            return int(con.execute("PRAGMA page_size").fetchone()[0])
        finally:
            con.close()

    new, old = tmp_path / "nuovo.valutazione", tmp_path / "vecchio.valutazione"
    create_database(new, milano).close()
    monkeypatch.setattr(dbmod, "PAGE_SIZE", 4096)
    create_database(old, milano).close()
    monkeypatch.undo()
    reopened = open_database(old)
    with reopened.sessions.begin() as s:
        audit.record(s, "test", "prova", "bando", 1, None, {"x": 1})
    with reopened.sessions() as s:
        assert audit.verify_chain(s).rows == 2
    reopened.close()
    assert (page_size(new), page_size(old)) == (16_384, 4096)


def test_rules_are_copied_into_the_file(tmp_path: Path) -> None:
    """Editing the TOML after creation never changes the rules of a running evaluation."""
    toml = tmp_path / "bando.toml"
    shutil.copy(default_template(), toml)
    path = tmp_path / "x.valutazione"
    create_database(path, load_bando(toml)).close()
    toml.write_text(toml.read_text(encoding="utf-8").replace('budget = "1128100.00"', 'budget = "5.00"'))
    with_db = open_database(path)
    assert with_db.bando().budget_cents == 112_810_000
    with_db.close()


def test_newer_schema_refused_untouched(tmp_path: Path, milano: Bando) -> None:
    """A file written by a newer version is refused with a clear message and left byte-for-byte unchanged."""
    path = tmp_path / "nuovo.valutazione"
    create_database(path, milano).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(SchemaTooNewError, match="versione più recente"):
        open_database(path)
    assert digest(path) == before


@pytest.mark.parametrize("content", [b"", b"ciao, non sono un database", b"SQLite format 3\x00" + b"\x00" * 100])
def test_not_a_valutazione_file(tmp_path: Path, content: bytes) -> None:
    """A wrong file gets an Italian message naming it, never a traceback."""
    path = tmp_path / "strano.valutazione"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="strano.valutazione"):
        open_database(path)


def test_other_sqlite_database_refused(tmp_path: Path) -> None:
    """A SQLite file of another application is recognised and refused."""
    path = tmp_path / "altro.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="non un file di valutazione"):
        open_database(path)


def test_create_refuses_existing_file(db: Database, milano: Bando) -> None:
    """Creating never overwrites an existing file."""
    with pytest.raises(DatabaseError, match="esiste già"):
        create_database(db.path, milano)


def test_schema_constraints(db: Database) -> None:
    """Constraints live in the schema: an unknown role is refused by SQLite itself."""
    with pytest.raises(IntegrityError), db.sessions.begin() as s:
        s.add(Commissario(name="X", role="ospite"))


def test_schema_at_head(db: Database) -> None:
    """A new file is created at the newest schema revision."""
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()


def test_online_backup_while_open(db: Database, tmp_path: Path) -> None:
    """The online backup copies a consistent file while the app holds it open."""
    with db.sessions.begin() as s:
        audit.record(s, "test", "prova", "bando", 1, None, {"x": 1})
    copy = backup_to(db.path, tmp_path / "copia.valutazione")
    other = open_database(copy)
    with other.sessions() as s:
        assert audit.verify_chain(s).rows == 2
    other.close()


def _tamper(path: Path, sql: str) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("DROP TRIGGER audit_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE audit SET actor = 'altro' WHERE id = 2", "riga 2 del registro è stata modificata"),
        ("DELETE FROM audit WHERE id = 2", "interrotto alla riga 3"),
        ("DELETE FROM audit WHERE id = 3", "troncato"),
        # no unique index on the hashes (revision 0012): a row copied whole, hash and all, breaks the chain
        (
            "INSERT INTO audit SELECT 4, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, "
            "hash FROM audit WHERE id = 3",
            "interrotto alla riga 4",
        ),
    ],
)
def test_audit_chain_detects_tampering(db: Database, sql: str, words: str) -> None:
    """An edited, removed, repeated or truncated audit row is detected."""
    with db.sessions.begin() as s:
        audit.record(s, "presidente", "prova", "domanda", 7, {"a": 1}, {"a": 2})
        audit.record(s, "presidente", "prova", "domanda", 8, None, {"b": 1})
    with db.sessions() as s:
        assert audit.verify_chain(s).ok
    db.close()
    _tamper(db.path, sql)
    reopened = open_database(db.path)
    with reopened.sessions() as s:
        report = audit.verify_chain(s)
    reopened.close()
    assert not report.ok and words in report.message


def test_audit_rows_cannot_be_updated(db: Database) -> None:
    """The audit log is append-only in the schema too."""
    with pytest.raises(Exception, match="non si modifica"), db.sessions.begin() as s:
        s.execute(text("UPDATE audit SET actor = 'x'"))
