"""Fifteen members scoring a hundred applications at once, each through their own role and connection:
nothing lost, one chain, `audit verify` clean; the chair approving meanwhile sees one consistent state."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from tests.builders import Builder, domanda, new_file, steady_marks
from tests.pgcluster import PgCluster
from valutazione.audit import verify_chain
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import opened
from valutazione.models import AuditRow, Domanda, GraduatoriaVersion, Scheda, Voto
from valutazione.server import roles
from valutazione.services import ranking, sheets

# Names without digits: the signing check ignores digit tokens, so «Componente 02» and «Componente 03» would be
# one person to it, and the committee refuses names that pass for another member's.
NUMBERS = "Due Tre Quattro Cinque Sei Sette Otto Nove Dieci Undici Dodici Tredici Quattordici Quindici".split()
MEMBERS = [("Presidente Uno", "presidente")] + [(f"Componente {n}", "componente") for n in NUMBERS]
APPLICATIONS = 100
APPROVALS = 3


@pytest.fixture
def crowded(pg_server: PgCluster, milano: Bando) -> Iterator[tuple[str, dict[str, str], dict[str, int]]]:
    """100 admitted applications, 15 declared members each with a login role on an initialised server."""
    name = pg_server.new_database("concorrenza")
    url = pg_server.url(name)
    db = new_file(url, milano)
    try:
        b = Builder(db).domande(domanda(f"PG {n}/2026", minutes=n) for n in range(1, APPLICATIONS + 1))
        b.committee(MEMBERS).declare().admit_all()
        members = dict(b.members)
    finally:
        db.close()
    roles.init(url)
    suffix, logins = secrets.token_hex(3), {}
    for member, _ in MEMBERS:
        password = secrets.token_urlsafe(16)
        logins[member] = roles.add_member(url, member, password, login=f"{roles.default_role_name(member)}_{suffix}")
        pg_server.add_password(logins[member], password)
    yield url, logins, members
    pg_server.drop_database(name)


def _score_all(url: str, member: str, member_id: int, errors: list[BaseException]) -> None:
    """One member's day: every application saved and submitted, one transaction each, on their own role."""
    try:
        with opened(url) as db:
            bando = db.bando()
            with db.sessions() as s:
                applications = list(s.execute(select(Domanda.id, Domanda.protocol).order_by(Domanda.id)))
            for domanda_id, protocol in applications:
                with db.sessions.begin() as s:
                    sheets.save_draft(s, member_id, domanda_id, steady_marks(bando, member, protocol))
                    sheets.submit(s, member_id, domanda_id)
    except BaseException as exc:  # reported by the test, with the member's name
        errors.append(RuntimeError(f"{member}: {exc!r}"))


def _approve_meanwhile(url: str, chair: str, done: threading.Event, errors: list[BaseException]) -> None:
    try:
        with opened(url) as db:
            for _ in range(APPROVALS):
                done.wait(timeout=0.5)
                with db.sessions.begin() as s:
                    ranking.approve(s, ranking.PROVISIONAL, chair, "Graduatoria provvisoria durante la valutazione")
    except BaseException as exc:
        errors.append(RuntimeError(f"approvazione: {exc!r}"))


def test_fifteen_members_score_at_once(
    crowded: tuple[str, dict[str, str], dict[str, int]], pg_server: PgCluster, milano: Bando
) -> None:
    """15 × 100 sheets written at once through real connections: all there, one unbroken chain, seals intact."""
    url, logins, members = crowded
    database = url.rsplit("/", 1)[1]
    errors: list[BaseException] = []
    done = threading.Event()
    scorers = [
        threading.Thread(target=_score_all, args=(pg_server.url(database, user=logins[m]), m, members[m], errors))
        for m, _ in MEMBERS
    ]
    chair = MEMBERS[0][0]
    approver = threading.Thread(
        target=_approve_meanwhile, args=(pg_server.url(database, user=logins[chair]), chair, done, errors)
    )
    for t in [*scorers, approver]:
        t.start()
    for t in scorers:
        t.join()
    done.set()
    approver.join()
    assert errors == []
    expected = len(MEMBERS) * APPLICATIONS
    with opened(url, read_only=True) as db, db.sessions() as s:
        assert s.scalar(select(func.count()).where(Scheda.state == sheets.SUBMITTED)) == expected
        assert s.scalar(select(func.count(Voto.id))) == expected * len(milano.subcriteria)
        submitted = s.scalar(select(func.count()).where(AuditRow.action == "scheda.inviata"))
        forks = s.scalar(select(func.count(AuditRow.id) - func.count(AuditRow.prev_hash.distinct())))
        assert (submitted, forks) == (expected, 0)
        assert s.scalar(select(func.count(GraduatoriaVersion.id))) == APPROVALS
        assert verify_chain(s).ok
    assert main(["audit", "verify", url]) == 0
