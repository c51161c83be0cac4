"""``valutazione server init`` and ``server member add``: the chair prepares the server and the members."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest

from tests.builders import Builder, new_file
from tests.pgcluster import SUPERUSER, PgCluster
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.server import roles
from valutazione.server.url import set_password_prompt


@pytest.fixture
def members_url(pg_url: str, milano: Bando) -> str:
    db = new_file(pg_url, milano)
    try:
        Builder(db).committee()
    finally:
        db.close()
    return pg_url


def test_init_then_member_add(
    members_url: str, pg_server: PgCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After init and member add the member logs in with the password from the file, and the log says so."""
    login = f"bruno_{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(16)
    secret = tmp_path / "password.txt"
    secret.write_text(password + "\n", encoding="utf-8")
    try:
        assert main(["server", "init", members_url]) == 0
        assert (
            main(
                [
                    "server",
                    "member",
                    "add",
                    members_url,
                    "Bruno Bianchi",
                    "--utente",
                    login,
                    "--ruolo",
                    "componente",
                    "--file-password",
                    str(secret),
                ]
            )
            == 0
        )
    finally:
        set_password_prompt(None)
    out = capsys.readouterr().out
    assert "regole di accesso installate" in out and login in out
    database = members_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.conninfo(database, user=login), password=password) as conn:
        assert conn.execute("SELECT valutazione_nome(), valutazione_ruolo()").fetchone() == (
            "Bruno Bianchi",
            "componente",
        )
    with opened(members_url, read_only=True) as db, db.sessions() as s:
        from sqlalchemy import select

        from valutazione.models import AuditRow

        actions = list(s.scalars(select(AuditRow.action).order_by(AuditRow.id)))
    assert "server.utente_creato" in actions
    assert "server.politiche_installate" in actions


def test_member_add_refusals(members_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before init, with a short password, an unknown name or the wrong role: refused in Italian, no user made."""
    secret = tmp_path / "p.txt"
    secret.write_text("password-abbastanza-lunga\n", encoding="utf-8")
    args = ["server", "member", "add", members_url, "--utente", f"bruno_{secrets.token_hex(3)}"]
    try:
        assert main([*args, "Bruno Bianchi", "--file-password", str(secret)]) == 2
        assert "server init" in capsys.readouterr().err
        assert main(["server", "init", members_url]) == 0
        assert main([*args, "Nessuno Qui", "--file-password", str(secret)]) == 2
        assert "Nessun componente" in capsys.readouterr().err
        assert main([*args, "Bruno Bianchi", "--ruolo", "presidente", "--file-password", str(secret)]) == 2
        assert "è componente nella commissione" in capsys.readouterr().err
        secret.write_text("corta\n", encoding="utf-8")
        assert main([*args, "Bruno Bianchi", "--file-password", str(secret)]) == 2
        assert "almeno 12 caratteri" in capsys.readouterr().err
    finally:
        set_password_prompt(None)
    with pytest.raises(RuleViolation, match="esiste già"):
        roles.add_member(members_url, "Bruno Bianchi", "password-abbastanza-lunga", login=SUPERUSER)


def test_init_again_keeps_members_working(members_url: str, pg_server: PgCluster) -> None:
    """Re-running init (after an upgrade) replaces the rules without locking out the members already made."""
    login, password = f"carla_{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    try:
        roles.init(members_url)
        roles.add_member(members_url, "Carla Verdi", password, login=login)
        report = roles.init(members_url)
    finally:
        set_password_prompt(None)
    assert report.tables >= 25
    database = members_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.conninfo(database, user=login), password=password) as conn:
        assert conn.execute("SELECT count(*) FROM commissario").fetchone() == (4,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM commissario")
