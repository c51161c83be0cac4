"""The committee: roles, one presidente, the general declaration gate, the secretary who never scores."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow, BandoRow
from valutazione.services import committee, conflicts, member_changes, sheets

from .conftest import Committee, full_marks

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


def test_only_one_presidente(db: Database, team: Committee) -> None:
    """A second presidente is refused: the chair's powers (reopening, approvals) belong to one person."""
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match="già un presidente"):
        committee.add_member(s, "Elena Gialli", "presidente", "test")


def test_unknown_role_and_repeated_name_refused(db: Database, team: Committee) -> None:
    """Roles are presidente, componente, segretario; a member is listed once."""
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="Ruolo"):
            committee.add_member(s, "Elena Gialli", "revisore", "test")
        with pytest.raises(RuleViolation, match="già parte"):
            committee.add_member(s, "Bruno  Verdi", "componente", "test")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bruno verdi", "già parte della commissione come «Bruno Verdi»"),  # one certificate would sign both
        ("VERDI Bruno", "già parte della commissione come «Bruno Verdi»"),
        ("Brunò Verdi", "già parte della commissione come «Bruno Verdi»"),
        ("Ｂｒｕｎｏ Verdi", "già parte della commissione"),  # full-width letters
        ("Bruno \u202eidreV", "invisibili o di controllo \\(U\\+202E\\)"),  # shows as «Bruno Verdi» on screen
        ("Bruno\u200b Verdi", "invisibili o di controllo \\(U\\+200B\\)"),
        ("Bruno V\u0435rdi", "alfabeti diversi \\(cyrillic, latin\\)"),  # a Cyrillic «е»
        ("Elena - Bruno Verdi", "non può contenere «-» tra spazi"),  # the field would name Bruno Verdi
        ("Elena <!-- Verdi", "caratteri non ammessi in un nome \\(<\\)"),  # a label would show «Elena»
    ],
)
def test_name_passing_for_another_members_refused(db: Database, team: Committee, name: str, message: str) -> None:
    """A member's name cannot pass for another's (signature fields, screens): case, accents, order, hidden
    characters and mixed alphabets are refused, on adding and on renaming; nothing is written."""
    with db.sessions() as s:
        before = [m.name for m in committee.list_members(s)]
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match=message):
        committee.add_member(s, name, "componente", "test")
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match=message):
        member_changes.rename_member(s, team.carla, name, "Nome trascritto male", "test")
    with db.sessions() as s:
        assert [m.name for m in committee.list_members(s)] == before


def test_member_renamed_to_another_spelling_of_own_name(db: Database, team: Committee) -> None:
    """Correcting the case of one's own name is not a clash with oneself."""
    with db.sessions.begin() as s:
        assert member_changes.rename_member(s, team.bruno, "Bruno VERDI", "Maiuscole", "test").name == "Bruno VERDI"


def test_list_members_chair_first_with_declarations(db: Database, team: Committee) -> None:
    """The list shows the presidente first, the secretary last, and who has declared."""
    with db.sessions.begin() as s:
        committee.declare_general(s, team.carla)
        members = committee.list_members(s)
    assert [(m.name, m.role) for m in members] == [
        ("Anna Rossi", "presidente"),
        ("Bruno Verdi", "componente"),
        ("Carla Neri", "componente"),
        ("Dario Bianchi", "segretario"),
    ]
    assert [m.declared_at is not None for m in members] == [False, False, True, False]
    assert [m.scores for m in members] == [True, True, True, False]


def test_declaration_gates_every_view_of_applications(db: Database, team: Committee) -> None:
    """Before the general declaration a member sees no application, has no sheet, declares no conflict."""
    d = team.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        for action in (
            lambda: conflicts.assigned_domande(s, team.bruno),
            lambda: sheets.own_sheet(s, team.bruno, d),
            lambda: sheets.save_draft(s, team.bruno, d, full_marks(bando)),
            lambda: conflicts.declare(s, team.bruno, d, False),
            lambda: sheets.other_sheets(s, team.bruno, d),
        ):
            with pytest.raises(RuleViolation, match="dichiarazione generale"):
                action()
        committee.declare_general(s, team.bruno)
        assert [x.protocol for x in conflicts.assigned_domande(s, team.bruno)] == ["P1", "P2", "P3"]


def test_declaration_is_signed_once_and_audited(db: Database, team: Committee) -> None:
    """The declaration is never rewritten, needs a text, and leaves an audit row signed by the member."""
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="obbligatorio"):
            committee.declare_general(s, team.bruno, "  ")
        committee.declare_general(s, team.bruno)
        with pytest.raises(RuleViolation, match="già reso"):
            committee.declare_general(s, team.bruno)
        row = s.scalars(select(AuditRow).where(AuditRow.action == "dichiarazione.resa")).one()
    assert row.actor == "Bruno Verdi"


def test_secretary_never_scores(db: Database, declared: Committee) -> None:
    """The secretary has no applications to score and cannot save or submit a sheet."""
    d = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        assert conflicts.assigned_domande(s, declared.secretary) == []
        with pytest.raises(RuleViolation, match="segretario"):
            sheets.save_draft(s, declared.secretary, d, full_marks(bando))
        with pytest.raises(RuleViolation, match="segretario"):
            sheets.submit(s, declared.secretary, d)


def test_appointment_act_recorded(db: Database, team: Committee) -> None:
    """The act appointing the committee is stored on the call and audited; it cannot be blank."""
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation):
            committee.set_appointment(s, " ", None, "test")
        committee.set_appointment(s, "Determinazione dirigenziale n. 123/2018", date(2018, 3, 5), "test")
    with db.sessions() as s:
        row = s.scalars(select(BandoRow)).one()
        assert (row.appointment_act, row.appointment_date) == (
            "Determinazione dirigenziale n. 123/2018",
            date(2018, 3, 5),
        )
        assert s.scalars(select(AuditRow).where(AuditRow.action == "commissione.nomina")).one()
