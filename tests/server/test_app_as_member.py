"""The application itself, connected to the server as a member's own role: its queries go through the
policies, and what the services allow is still allowed, what they refuse the server refuses too."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import select

from tests.server.conftest import CONFLICTED, Committee
from valutazione import audit
from valutazione.cli import main
from valutazione.db import opened
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Domanda, Scheda
from valutazione.services import ranking, sheets
from valutazione.services.sheets import ConcurrentEditError, Mark


def _marks(bando_codes: list[str], value: str) -> dict[str, Mark]:
    return {code: Mark(Decimal(value), "Motivazione di prova") for code in bando_codes}


def test_member_scores_through_the_app(fresh_committee: Callable[[], Committee]) -> None:
    """As a componente: own sheet saved and submitted, the others' then visible, a conflicted application
    not even readable; `audit verify` clean afterwards."""
    c = fresh_committee()
    carla, d0, d1 = c.members["Carla Verdi"], c.domande[0], c.domande[CONFLICTED[1]]
    with opened(c.member_url("Carla Verdi")) as db:
        codes = [sub.code for sub in db.bando().subcriteria]
        with db.sessions.begin() as s:
            with pytest.raises(RuleViolation, match="prima di aver inviato"):
                sheets.other_sheets(s, carla, d0)
            sheets.save_draft(s, carla, d0, _marks(codes, "0.5"))
            sheets.submit(s, carla, d0)
        with db.sessions() as s:
            others = sheets.other_sheets(s, carla, d0)
            assert {v.member for v in others} == {"Anna Rossi", "Bruno Bianchi"}
            assert s.get(Domanda, d1) is None  # the server hides it, whatever the client asks
            with pytest.raises((RuleViolation, NotFoundError)):
                sheets.own_sheet(s, carla, d1)
    assert main(["audit", "verify", c.url]) == 0


def test_reopening_only_through_the_chair_with_reason(fresh_committee: Callable[[], Committee]) -> None:
    """A submitted sheet is edited by nobody directly; the chair's reopening through the app passes."""
    c = fresh_committee()
    bruno, d0 = c.members["Bruno Bianchi"], c.domande[0]
    reopen = "UPDATE scheda SET state = 'bozza' WHERE commissario_id = %s AND domanda_id = %s"
    with c.connect("Bruno Bianchi") as raw:
        assert raw.execute(reopen, (bruno, d0)).rowcount == 0  # his policy: own drafts only
    with c.connect("Anna Rossi") as raw, pytest.raises(psycopg.errors.RaiseException, match="già stata inviata"):
        raw.execute(reopen, (bruno, d0))  # the chair without the reason in the log
    with c.owner() as owner, pytest.raises(psycopg.errors.RaiseException, match="riapertura del presidente"):
        owner.execute(reopen, (bruno, d0))
    with opened(c.member_url("Anna Rossi")) as db, db.sessions.begin() as s:
        sheets.reopen(s, bruno, d0, c.members["Anna Rossi"], "Errore materiale segnalato dal commissario")
    with opened(c.member_url("Bruno Bianchi")) as db, db.sessions() as s:
        assert sheets.own_sheet(s, bruno, d0).state == sheets.DRAFT
    assert main(["audit", "verify", c.url]) == 0


def test_lost_update_refused(fresh_committee: Callable[[], Committee]) -> None:
    """Two sessions of one member on one draft: the one that saves second is told, nothing overwritten."""
    c = fresh_committee()
    bruno, d = c.members["Bruno Bianchi"], c.domande[1]
    with opened(c.member_url("Bruno Bianchi")) as db:
        codes = [sub.code for sub in db.bando().subcriteria]
        with db.sessions() as first:
            first.begin()
            stale = first.scalars(select(Scheda).where(Scheda.commissario_id == bruno, Scheda.domanda_id == d)).one()
            read_at = stale.revision
            with db.sessions.begin() as second:
                sheets.save_draft(second, bruno, d, _marks(codes, "0.7"), expected_revision=read_at)
            with pytest.raises(ConcurrentEditError, match="modificata nel frattempo"):
                sheets.save_draft(first, bruno, d, _marks(codes, "0.9"))
            first.rollback()
        with db.sessions.begin() as s:
            with pytest.raises(ConcurrentEditError, match="modificata nel frattempo"):
                sheets.save_draft(s, bruno, d, _marks(codes, "0.9"), expected_revision=read_at)
        with db.sessions() as s:
            kept = sheets.own_sheet(s, bruno, d)
    assert kept.revision == read_at + 1
    assert {m.value for _, m in kept.marks} == {Decimal("0.7")}


def test_approval_holds_the_inputs_until_it_commits(fresh_committee: Callable[[], Committee]) -> None:
    """While the chair's approval is open, a member's write to a sheet waits: the version sees one state."""
    c = fresh_committee()
    bruno, d = c.members["Bruno Bianchi"], c.domande[1]
    touch = "UPDATE scheda SET updated_at = updated_at WHERE commissario_id = %s AND domanda_id = %s"
    with opened(c.member_url("Anna Rossi")) as db, db.sessions() as s:
        s.begin()
        ranking.approve(s, ranking.PROVISIONAL, "Anna Rossi", "Prova di approvazione")
        with c.connect("Bruno Bianchi") as raw:
            raw.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                raw.execute(touch, (bruno, d))
            s.commit()
            assert raw.execute(touch, (bruno, d)).rowcount == 1


def test_member_verification_on_the_server_matches_the_app(fresh_committee: Callable[[], Committee]) -> None:
    """The chain recomputed by the server for a member finds the same tampered row as the app's own check."""
    c = fresh_committee()
    with opened(c.url, read_only=True) as db, db.sessions() as s:
        assert audit.verify_chain(s).ok
    with opened(c.member_url("Carla Verdi"), read_only=True) as db, db.sessions() as s:
        member_report = audit.verify_chain(s)
    assert member_report.ok
    with c.owner() as owner:
        victim = owner.execute("SELECT id FROM audit WHERE action = 'scheda.inviata' ORDER BY id LIMIT 1").fetchone()
        assert victim is not None
        owner.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        owner.execute("UPDATE audit SET after_json = replace(after_json, 'Giudizio', 'giudizio') WHERE id = %s", victim)
        owner.execute("ALTER TABLE audit ENABLE TRIGGER USER")
    with opened(c.url, read_only=True) as db, db.sessions() as s:
        app = audit.verify_chain(s)
    with opened(c.member_url("Carla Verdi"), read_only=True) as db, db.sessions() as s:
        server = audit.verify_chain(s)
    assert (app.ok, app.first_bad_id, app.message) == (server.ok, server.first_bad_id, server.message)
    assert app.first_bad_id == victim[0]


def test_secretary_records_a_session_from_the_command_line(
    fresh_committee: Callable[[], Committee], capsys: pytest.CaptureFixture[str]
) -> None:
    """The secretary, on their own role, records a session: the log row is in their name, as the server wants."""
    c = fresh_committee()
    url = c.member_url("Dario Neri")
    present = "Anna Rossi;Bruno Bianchi;Carla Verdi;Dario Neri"
    assert main(["seduta", "add", url, "--data", "12/01/2026", "--presenti", present, "--luogo", "Sala giunta"]) == 0
    with c.owner() as owner:
        row = owner.execute("SELECT actor FROM audit WHERE entity = 'seduta' AND action <> 'sigillo'").fetchone()
    assert row == ("Dario Neri",)
    assert main(["audit", "verify", c.url]) == 0
