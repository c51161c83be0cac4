"""What a login reads besides the sheets: a merged return, the pairwise comparisons, the log rows about them.

A member's return is stored whole when merged (payload and signature, valutazione/seals/signatures.py):
every sheet of that member, drafts' marks included, and the merge's log row names it. The comparisons are
a member's marks in another form, and «confronto.salvato» logs them all. Each stays with its member (and,
for the comparisons, the chair and the secretary, as the table ``confronto`` does).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select

from tests.builders import chair_fingerprint, confirmed_key
from tests.pgcluster import PgCluster
from tests.server.conftest import Committee
from tests.server.test_forged_log_rows import _log
from tests.valutazione.sync.helpers import build_chair, work_offline
from valutazione import seals
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import opened
from valutazione.models import AuditRow
from valutazione.server import roles

MERGED = "pacchetto.ritorno.importato"


def _login(pg: PgCluster, url: str, name: str) -> str:
    password = secrets.token_urlsafe(16)
    login = roles.add_member(url, name, password, login=f"{roles.default_role_name(name)}_{secrets.token_hex(3)}")
    pg.add_password(login, password)
    return login


def test_a_merged_return_is_read_only_by_its_member(pg_server: PgCluster, milano: Bando, tmp_path: Path) -> None:
    """Bruno's return (his drafts' marks) and its merge row: hidden from the others' logins, the chair's
    included; every login's own verification still finds the file intact."""
    database = pg_server.new_database("ritorni")
    url = pg_server.url(database)
    try:
        build_chair(url, milano).close()
        pkg, ret = tmp_path / "laptop" / "bruno.valpkg", tmp_path / "bruno-1.valret"
        assert main(["package", "export", url, "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
        assert main(["package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg))]) == 0
        work_offline(pkg, "Bruno Verdi", submit=False)  # drafts: marks nobody else may read
        assert main(["package", "return", str(pkg), "-o", str(ret)]) == 0
        assert main(["package", "merge", url, str(ret), "--trust-key", str(confirmed_key(ret))]) == 0
        roles.init(url)
        with pg_server.connect(database) as owner:
            row = owner.execute("SELECT after_json::jsonb FROM audit WHERE action = %s", (MERGED,)).fetchone()
        assert row is not None
        stored: list[Any] = [row[0]["ritorno"], row[0]["firma"]]
        for name, sees in (
            ("Carla Neri", False),
            ("Anna Rossi", False),
            ("Dario Bianchi", False),
            ("Bruno Verdi", True),
        ):
            login = _login(pg_server, url, name)
            with psycopg.connect(pg_server.conninfo(database, user=login), autocommit=True) as conn:
                blobs = conn.execute("SELECT count(*) FROM blob WHERE sha256 = ANY(%s)", (stored,)).fetchone()
                merges = conn.execute("SELECT count(*) FROM audit WHERE action = %s", (MERGED,)).fetchone()
            assert (blobs, merges) == (((2,), (1,)) if sees else ((0,), (0,))), name
            with opened(pg_server.url(database, user=login), read_only=True) as db, db.sessions() as s:
                assert seals.verify_file(s).ok, name
    finally:
        pg_server.drop_database(database)


def _comparison_rows(c: Committee, member: str) -> int:
    with c.connect(member) as conn:
        row = conn.execute("SELECT count(*) FROM audit WHERE action = 'confronto.salvato' OR entity = 'confronto'")
        return int(row.fetchone()[0])  # type: ignore[index]


def test_comparisons_in_the_log_stay_with_their_member(fresh_committee: Callable[[], Committee]) -> None:
    """Bruno's logged comparisons and their seals: read by him, the chair and the secretary, not by Carla."""
    c = fresh_committee()
    bruno, d0, d2 = c.members["Bruno Bianchi"], c.domande[0], c.domande[2]
    with c.connect("Bruno Bianchi") as conn, conn.transaction():
        cur = conn.execute(
            "INSERT INTO confronto (commissario_id, sub_code, domanda_a_id, domanda_b_id, preferred, degree, "
            "recorded_at) VALUES (%s, 'A.1', %s, %s, 'a', 'moderata', '2026-01-10T10:00:00.000000+00:00') RETURNING id",
            (bruno, d0, d2),
        )
        comparison = cur.fetchone()[0]  # type: ignore[index]
        _log(conn, "Bruno Bianchi", "confronto.salvato", "sottocriterio", "A.1", {"PG 1 / PG 3": "PG 1 +3"})
        _log(conn, "sistema", "sigillo", "confronto", str(comparison), {"sha256": "8" * 64})
    assert [_comparison_rows(c, m) for m in ("Carla Verdi", "Bruno Bianchi", "Anna Rossi", "Dario Neri")] == [
        0,
        2,
        2,
        2,
    ]


def test_a_log_row_naming_no_row_does_not_stop_the_log_being_read(fresh_committee: Callable[[], Committee]) -> None:
    """A row about «sheet» 99999999999 (out of the integer range) hides itself; it does not make every
    other login's read of the log fail."""
    c = fresh_committee()
    with c.connect("Carla Verdi") as conn, conn.transaction():
        _log(conn, "Carla Verdi", "prova.annotazione", "scheda", "99999999999", {"nota": "prova"})
    with opened(c.member_url("Bruno Bianchi"), read_only=True) as db, db.sessions() as s:
        assert s.scalar(select(AuditRow.id).where(AuditRow.entity_id == "99999999999")) is None
        assert seals.verify_file(s).ok
