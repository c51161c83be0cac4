"""A member's return on a committee server: merged by the database's owner, refused through a login role."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import chair_fingerprint, confirmed_key
from tests.pgcluster import PgCluster
from tests.valutazione.sync.helpers import build_chair, give_back, key_for, work_offline
from valutazione import seals
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import open_database
from valutazione.models import AuditRow, Commissario, Scheda
from valutazione.server import roles


def _counts(url: str) -> tuple[int, int]:
    db = open_database(url, read_only=True)
    try:
        with db.sessions() as s:
            return s.scalar(select(func.count()).select_from(Scheda)) or 0, s.scalar(
                select(func.count()).select_from(AuditRow)
            ) or 0
    finally:
        db.close()


def test_returns_on_an_initialised_server(
    pg_server: PgCluster, milano: Bando, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Offline returns on a server with its rules: refused in Italian through a login, merged by the owner.

    Bruno's first return brings drafts, his second changes and sends them; Carla's only return brings sent
    sheets: new sheets and changed drafts go in as drafts and are marked sent after their marks (the
    server's triggers refuse marks on a sent sheet, the owner's too).
    """
    database = pg_server.new_database("ritorni")
    url = pg_server.url(database)
    build_chair(url, milano).close()
    pkg, first, second = tmp_path / "laptop" / "bruno.valpkg", tmp_path / "bruno-1.valret", tmp_path / "bruno-2.valret"
    assert main(["package", "export", url, "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    assert main(["package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg))]) == 0
    work_offline(pkg, "Bruno Verdi", submit=False)
    assert main(["package", "return", str(pkg), "-o", str(first)]) == 0
    roles.init(url)
    password = secrets.token_urlsafe(16)
    login = roles.add_member(url, "Anna Rossi", password, login=f"anna_{secrets.token_hex(3)}")
    pg_server.add_password(login, password)
    before = _counts(url)
    key = confirmed_key(first)
    capsys.readouterr()
    try:
        assert main(["package", "merge", pg_server.url(database, user=login), str(first), "--trust-key", str(key)]) != 0
        said = capsys.readouterr()
        assert "proprietario del database" in said.err and "Anna Rossi" in said.err
        assert _counts(url) == before
        assert main(["package", "merge", url, str(first), "--trust-key", str(key)]) == 0
        work_offline(pkg, "Bruno Verdi", submit=True, shift=1)  # other marks, then sent
        assert main(["package", "return", str(pkg), "-o", str(second)]) == 0
        assert main(["package", "merge", url, str(second)]) == 0
        carla_pkg, carla_ret = tmp_path / "carla" / "carla.valpkg", tmp_path / "carla.valret"
        assert main(["package", "export", url, "--member", "Carla Neri", "-o", str(carla_pkg)]) == 0
        assert main(["package", "open", str(carla_pkg), "--trust-key", str(chair_fingerprint(carla_pkg))]) == 0
        work_offline(carla_pkg, "Carla Neri", submit=True)  # new sheets, sent in the first return
        give_back(carla_pkg, carla_ret, key_for(tmp_path, "Carla Neri"))  # her own key
        assert main(["package", "merge", url, str(carla_ret), "--trust-key", str(confirmed_key(carla_ret))]) == 0
        db = open_database(url, read_only=True)
        try:
            with db.sessions() as s:
                sent = Commissario.name.in_(["Bruno Verdi", "Carla Neri"])
                states = set(s.scalars(select(Scheda.state).join(Commissario).where(sent)))
                report = seals.verify_file(s)
        finally:
            db.close()
        assert states == {"inviata"} and report.ok, report.message
    finally:
        pg_server.drop_database(database)
