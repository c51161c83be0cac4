"""server push / pull: a committee moves between a file and a server, verified, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import State, committee_file
from tests.pgcluster import PgCluster
from valutazione import seals
from valutazione.cli import main
from valutazione.db import opened
from valutazione.errors import DatabaseError
from valutazione.models import AuditRow, BandoRow, Blob, Commissario, Presenza
from valutazione.server.copy import pull, push
from valutazione.server.url import set_password_prompt
from valutazione.services import committee, ranking, sedute


@pytest.fixture(autouse=True)
def _no_prompt() -> object:
    yield None
    set_password_prompt(None)


@pytest.fixture(scope="module")
def definitive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample procedure on a file, up to the definitive ranking (built once for the module), with what
    could hash differently on another engine: attachments (bytes), a remote session with presences and
    absences (booleans), dates and aware times."""
    folder = tmp_path_factory.mktemp("spinta")
    path = folder / "commissione.valutazione"
    built = committee_file(path, State.DEFINITIVE, attachments=True)
    with opened(path) as db, db.sessions.begin() as s:
        sedute.record_seduta(
            s,
            date(2018, 4, 16),
            "09:30",
            "13:15",
            "",
            "Graduatoria",
            [built.members["Anna Rossi"]],
            "Anna Rossi",
            remote=True,
        )
    return path


def _facts(target: Path | str) -> tuple[str, str, int, str]:
    with opened(target, read_only=True) as db, db.sessions() as s:
        bando = s.scalars(select(BandoRow)).one()
        assert s.scalar(select(func.count(Blob.sha256))) and s.scalar(select(func.count(Presenza.id))) == 4
        latest = ranking.latest(s)
        assert latest is not None
        return bando.file_uuid, bando.audit_head, s.scalar(select(func.count(AuditRow.id))) or 0, latest.fingerprint


def test_push_then_pull_keeps_every_seal_and_the_chain(
    definitive: Path, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seals hashed on SQLite verify on PostgreSQL and back: the hashes do not depend on the engine."""
    assert main(["server", "push", str(definitive), pg_url]) == 0
    assert main(["audit", "verify", pg_url]) == 0
    assert _facts(pg_url) == _facts(definitive)
    back = tmp_path / "archivio.valutazione"
    assert main(["server", "pull", pg_url, str(back)]) == 0
    assert main(["audit", "verify", str(back)]) == 0
    assert _facts(back) == _facts(definitive)
    assert "Sigilli integri" in capsys.readouterr().out


def test_work_continues_on_the_server_after_push(definitive: Path, pg_url: str) -> None:
    """After a push the server takes new rows (sequences resume after the copied ids) and still verifies."""
    push(definitive, pg_url)
    with opened(pg_url) as db, db.sessions.begin() as s:
        before = s.scalar(select(func.max(Commissario.id)))
        added = committee.add_member(s, "Elena Gialli", "componente", "Anna Rossi")
        s.flush()
        assert before is not None and added.id == before + 1
    with opened(pg_url, read_only=True) as db, db.sessions() as s:
        assert seals.verify_file(s).ok


def test_push_refuses_a_database_that_holds_a_call(definitive: Path, pg_url: str) -> None:
    """A second push onto the same database is refused and leaves the first copy untouched."""
    push(definitive, pg_url)
    head = _facts(pg_url)
    with pytest.raises(DatabaseError, match="contiene già un bando"):
        push(definitive, pg_url)
    assert _facts(pg_url) == head


def test_broken_file_is_not_pushed(definitive: Path, pg_server: PgCluster, pg_url: str, tmp_path: Path) -> None:
    """A file whose seal is broken is refused before anything reaches the server (still an empty database)."""
    import shutil
    import sqlite3

    broken = tmp_path / "rotto.valutazione"
    shutil.copy(definitive, broken)
    con = sqlite3.connect(broken)
    con.execute("UPDATE ammissibilita SET reason = 'cambiata sotto il registro' WHERE id = 1")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="non supera la verifica"):
        push(broken, pg_url)
    with pg_server.connect(pg_url.rsplit("/", 1)[1]) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_tampering_on_the_server_is_caught_and_not_pulled(
    definitive: Path, pg_server: PgCluster, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A decisive row edited with psql breaks its seal: `audit verify URL` says so, `pull` writes nothing."""
    push(definitive, pg_url)
    with pg_server.connect(pg_url.rsplit("/", 1)[1]) as conn:
        conn.execute("UPDATE ammissibilita SET reason = 'cambiata sotto il registro' WHERE id = 1")
    assert main(["audit", "verify", pg_url]) == 1
    out = capsys.readouterr().out
    assert "Sigilli violati" in out and "pg_dump" in out and "restore" not in out
    dest = tmp_path / "copia.valutazione"
    with pytest.raises(DatabaseError, match="non supera la verifica"):
        pull(pg_url, dest)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_backup_of_a_server_writes_a_pulled_copy(
    definitive: Path, pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`backup URL DEST` writes a verified file copy; the automatic-backup commands point to pg_dump instead."""
    push(definitive, pg_url)
    dest = tmp_path / "copia.valutazione"
    assert main(["backup", pg_url, str(dest)]) == 0
    assert _facts(dest) == _facts(pg_url)
    assert main(["backups", pg_url]) == 2
    assert main(["restore", pg_url]) == 2
    assert main(["demo", pg_url]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "server push" in err


def test_a_cloned_server_database_is_the_same_committee(definitive: Path, pg_server: PgCluster, pg_url: str) -> None:
    """The test cluster's clone (CREATE DATABASE … TEMPLATE) gives part B's tests a committee in one step."""
    push(definitive, pg_url)
    copy = pg_server.url(pg_server.clone(pg_url.rsplit("/", 1)[1]))
    try:
        assert _facts(copy) == _facts(pg_url)
    finally:
        pg_server.drop_database(copy.rsplit("/", 1)[1])
