"""Passwords per member: salted scrypt hashes in the file, required for chair and secretary, logged without the hash."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from tests.valutazione.services.conftest import Committee
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.services import identity


def test_chair_and_secretary_need_a_password_members_only_if_they_set_one(db: Database, team: Committee) -> None:
    """Entering as presidente or segretario asks for a password; a componente only after protecting the entry."""
    with db.sessions.begin() as s:
        assert identity.needs_password(s, team.chair)
        assert identity.needs_password(s, team.secretary)
        assert not identity.needs_password(s, team.bruno)
        identity.check_password(s, team.bruno, "")  # no password, not required: passes
        with pytest.raises(identity.WrongPassword, match="non ha ancora impostato"):
            identity.check_password(s, team.chair, "qualsiasi")
        identity.set_password(s, team.bruno, "bruno-segreto")
        assert identity.needs_password(s, team.bruno)


def test_password_is_checked_and_stored_only_as_salted_scrypt(db: Database, team: Committee) -> None:
    """The right password passes, a wrong one is refused; the file holds salt, digest and parameters, never the text."""
    with db.sessions.begin() as s:
        identity.set_password(s, team.chair, "Presidenza-2026")
    with db.sessions() as s:
        identity.check_password(s, team.chair, "Presidenza-2026")
        with pytest.raises(identity.WrongPassword, match="Password errata per Anna Rossi"):
            identity.check_password(s, team.chair, "presidenza-2026")
    raw = sqlite3.connect(db.path)
    try:
        scheme, salt, digest = raw.execute("SELECT scheme, salt, digest FROM credenziale").fetchone()
        whole = b"".join(bytes(str(r), "utf-8") for r in raw.execute("SELECT * FROM credenziale").fetchall())
    finally:
        raw.close()
    assert scheme == "scrypt:n=16384,r=8,p=1"
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert b"Presidenza-2026" not in whole and b"Presidenza-2026" not in db.path.read_bytes()


def test_same_password_two_members_gives_different_digests(db: Database, team: Committee) -> None:
    """Each hash has its own salt: two members with the same password are not recognisable in the file."""
    with db.sessions.begin() as s:
        identity.set_password(s, team.chair, "uguale-uguale")
        identity.set_password(s, team.secretary, "uguale-uguale")
    raw = sqlite3.connect(db.path)
    try:
        digests = {d for (d,) in raw.execute("SELECT digest FROM credenziale")}
    finally:
        raw.close()
    assert len(digests) == 2


def test_change_requires_the_old_password_and_is_logged_without_the_hash(db: Database, team: Committee) -> None:
    """Changing needs the current password; the audit rows say set/changed and hold no salt or digest."""
    with db.sessions.begin() as s:
        identity.set_password(s, team.chair, "prima-password")
    with db.sessions.begin() as s, pytest.raises(identity.WrongPassword):
        identity.set_password(s, team.chair, "seconda-password", current="sbagliata")
    with db.sessions.begin() as s:
        identity.set_password(s, team.chair, "seconda-password", current="prima-password")
    with db.sessions() as s:
        identity.check_password(s, team.chair, "seconda-password")
        rows = s.scalars(select(AuditRow).where(AuditRow.action.like("password.%")).order_by(AuditRow.id)).all()
        salt, digest = sqlite3.connect(db.path).execute("SELECT salt, digest FROM credenziale").fetchone()
    assert [r.action for r in rows] == ["password.impostata", "password.cambiata"]
    assert all(r.actor == "Anna Rossi" for r in rows)
    for r in rows:
        assert salt not in r.after_json and digest not in r.after_json and "password" not in r.after_json


@pytest.mark.parametrize(("password", "message"), [("corta", "almeno 6"), ("anna rossi", "nome della persona")])
def test_weak_password_is_refused_and_nothing_is_written(
    db: Database, team: Committee, password: str, message: str
) -> None:
    """Too short or the member's own name: refused with an Italian message, no credential stored."""
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match=message):
        identity.set_password(s, team.chair, password)
    with db.sessions() as s:
        assert not identity.credential(s, team.chair).has_password


def test_monitoring_officer_needs_own_password_not_a_members(db: Database, team: Committee) -> None:
    """An officer must set and type their own password, stored apart from the members' (ids may coincide)."""
    from valutazione.projects import officers

    with db.sessions.begin() as s:
        identity.set_password(s, team.chair, "Presidenza-2026")
        officer = officers.add_officer(s, "Anna Rossi", "Marta Ferri").id
    assert officer == team.chair  # both first of their table: the officer must not borrow the chair's password
    with db.sessions.begin() as s:
        assert identity.needs_password(s, officer, officer=True)
        assert not identity.credential(s, officer, officer=True).has_password
        with pytest.raises(identity.WrongPassword, match="Marta Ferri non ha ancora impostato"):
            identity.check_password(s, officer, "Presidenza-2026", officer=True)
        identity.set_password(s, officer, "monitoraggio-1", officer=True)
    with db.sessions() as s:
        identity.check_password(s, officer, "monitoraggio-1", officer=True)
        with pytest.raises(identity.WrongPassword, match="Password errata per Marta Ferri"):
            identity.check_password(s, officer, "Presidenza-2026", officer=True)
        identity.check_password(s, team.chair, "Presidenza-2026")  # the chair's own is untouched
        logged = s.scalars(select(AuditRow).where(AuditRow.entity == "referente")).all()
        assert [(a.actor, a.action) for a in logged][-1] == ("Marta Ferri", "password.impostata")
        assert "monitoraggio" not in "".join(a.after_json for a in logged)
