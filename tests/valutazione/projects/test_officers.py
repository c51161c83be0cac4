"""Monitoring officers: one role each, names normalised, every addition in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.valutazione.projects.conftest import CHAIR
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.projects import officers


def test_officers_are_distinct_people_and_logged(funded: Database) -> None:
    """An empty name, a repeated one and a committee member's are refused; an addition is audited."""
    with funded.sessions.begin() as s:
        info = officers.add_officer(s, CHAIR, "  Marta   Ferri ")
    assert info.name == "Marta Ferri"
    for name, message in (("", "Indicare nome"), ("Marta Ferri", "già referente"), (CHAIR, "componente")):
        with funded.sessions.begin() as s, pytest.raises(RuleViolation, match=message):
            officers.add_officer(s, CHAIR, name)
    with funded.sessions() as s:
        assert [o.name for o in officers.list_officers(s)] == ["Marta Ferri"]
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.action == "referente.aggiunto")))
    assert actions == ["referente.aggiunto"]


def test_an_officer_cannot_take_a_members_name_in_another_case(funded: Database) -> None:
    """«LAURA FUMAGALLI» or «marta ferri» is the same person as the chair or the officer already added: refused,
    or the audit log would show an officer's payments under what reads as the chair's name."""
    with funded.sessions.begin() as s:
        officers.add_officer(s, CHAIR, "Marta Ferri")
    for name, message in ((CHAIR.upper(), f"{CHAIR} è componente"), ("marta  ferri", "Marta Ferri è già referente")):
        with funded.sessions.begin() as s, pytest.raises(RuleViolation, match=message):
            officers.add_officer(s, CHAIR, name)
