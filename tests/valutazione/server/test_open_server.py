"""A committee on a PostgreSQL server: created, opened and verified through the same commands as a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from tests.pgcluster import PgCluster
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import create_database, head_revision, open_database, opened
from valutazione.errors import DatabaseError
from valutazione.models import AuditRow, Commissario
from valutazione.server.url import ServerAddress, set_password_prompt
from valutazione.services import committee


@pytest.fixture
def no_prompt() -> Iterator[None]:
    """main() installs the terminal's prompt; the tests leave none behind."""
    yield
    set_password_prompt(None)


def test_new_url_then_audit_verify(pg_url: str, capsys: pytest.CaptureFixture[str], no_prompt: None) -> None:
    """`new URL` creates the call on an empty server database and `audit verify URL` finds it intact."""
    assert main(["new", pg_url]) == 0
    assert main(["audit", "verify", pg_url]) == 0
    assert main(["info", pg_url, "--json"]) == 0
    out = capsys.readouterr().out
    assert "Sigilli integri" in out
    assert f'"schema": "{head_revision()}"' in out


def test_password_in_url_refused(pg_url: str, capsys: pytest.CaptureFixture[str], no_prompt: None) -> None:
    """A password written in the address is refused (it would stay in the shell history), nothing opened."""
    with_password = pg_url.replace("@", ":segreta@", 1)
    assert main(["new", with_password]) == 2
    assert "contiene una password" in capsys.readouterr().err
    with pytest.raises(DatabaseError, match="contiene una password"):
        ServerAddress.parse(with_password)


def test_new_refuses_a_database_holding_a_call(pg_url: str, milano: Bando) -> None:
    """`new` on a database that already holds a call is refused and leaves its log as it was."""
    create_database(pg_url, milano).close()
    with pytest.raises(DatabaseError, match="contiene già un bando"):
        create_database(pg_url, milano)
    with opened(pg_url, read_only=True) as db, db.sessions() as s:
        assert s.scalar(select(func.count(AuditRow.id))) == 1


def test_foreign_database_refused(pg_server: PgCluster, pg_url: str, milano: Bando) -> None:
    """A database holding other tables is not a committee's: refused for opening and for `new`."""
    name = pg_url.rsplit("/", 1)[1]
    with pg_server.connect(name) as conn:
        conn.execute("CREATE TABLE altro (x int)")
    with pytest.raises(DatabaseError, match="non è un database di valutazione"):
        open_database(pg_url)
    with pytest.raises(DatabaseError, match="non è un database di valutazione"):
        create_database(pg_url, milano)


def test_empty_database_is_not_a_call(pg_url: str) -> None:
    """Opening an empty server database says it holds no call, instead of creating one."""
    with pytest.raises(DatabaseError, match="non contiene un bando"):
        open_database(pg_url)


def test_read_only_is_enforced_by_the_server(pg_url: str, milano: Bando) -> None:
    """A read-only opening cannot write even past the application: the server refuses the statement."""
    create_database(pg_url, milano).close()
    with opened(pg_url, read_only=True) as db, db.sessions() as s:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            s.execute(AuditRow.__table__.delete())


def test_audit_log_is_append_only_on_the_server(pg_server: PgCluster, pg_url: str, milano: Bando) -> None:
    """Even a raw psycopg connection cannot update, delete or truncate the log (trigger, as on SQLite)."""
    create_database(pg_url, milano).close()
    name = pg_url.rsplit("/", 1)[1]
    with pg_server.connect(name) as conn:
        for statement, refusal in (
            ("UPDATE audit SET actor = 'x'", "non si modifica"),
            ("DELETE FROM audit", "non si cancella"),
            ("TRUNCATE audit", "non si cancella"),
        ):
            with pytest.raises(psycopg.errors.RaiseException, match=refusal):
                conn.execute(statement)


def test_password_asked_when_libpq_has_none(
    pg_server: PgCluster, pg_url: str, milano: Bando, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_prompt: None
) -> None:
    """Without a .pgpass entry the installed prompt is asked once; a wrong answer is an Italian refusal."""
    create_database(pg_url, milano).close()
    empty = tmp_path / "pgpass"
    empty.write_text("", encoding="utf-8")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    asked: list[str] = []

    def prompt(address: ServerAddress) -> str:
        asked.append(address.user)
        return pg_server.password

    set_password_prompt(prompt)
    open_database(pg_url, read_only=True).close()
    assert asked == [pg_server.user]
    set_password_prompt(lambda _address: "sbagliata")
    with pytest.raises(DatabaseError, match="non ha accettato la password"):
        open_database(pg_url, read_only=True)
    set_password_prompt(None)
    with pytest.raises(DatabaseError, match="pgpass"):
        open_database(pg_url, read_only=True)


def test_lost_connection_is_an_italian_message_and_nothing_half_written(
    pg_server: PgCluster, pg_url: str, milano: Bando
) -> None:
    """The server dropping the connection mid-transaction gives a clear message; the half-done write is gone."""
    create_database(pg_url, milano).close()
    with opened(pg_url) as db:
        with pytest.raises(DatabaseError, match="si è interrotto"), db.sessions.begin() as s:
            committee.add_member(s, "Elena Gialli", "componente", "test")
            s.flush()
            pid = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with pg_server.connect() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            s.execute(select(func.count(AuditRow.id)))
        with db.sessions() as s:  # the pool reconnects; the member was never written
            assert s.scalar(select(func.count(Commissario.id))) == 0
