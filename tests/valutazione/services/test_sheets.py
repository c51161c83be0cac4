"""Scoring sheets: drafts, submission lock and hash, chair-only reopening, the visibility rule."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import select

from valutazione.audit import canonical_json
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow, Scheda
from valutazione.services import sheets
from valutazione.services.sheets import Mark

from .conftest import Committee, full_marks

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server


def test_draft_may_be_incomplete_submit_may_not(db: Database, declared: Committee) -> None:
    """A draft keeps partial work; submission needs every value and, when required, every motivazione."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        sheets.save_draft(s, declared.bruno, p1, {"A.1": Mark(Decimal("0.8"), "")})
        with pytest.raises(RuleViolation, match=r"A\.1: motivazione mancante.*A\.2: valore mancante"):
            sheets.submit(s, declared.bruno, p1)


def test_value_validated_on_save(db: Database, declared: Committee) -> None:
    """A coefficient not on the call's scale is refused at once, naming the value and the sub-criterion."""
    with db.sessions.begin() as s, pytest.raises(RuleViolation, match=r"0,85.*A\.1"):
        sheets.save_draft(s, declared.bruno, declared.domande[0], {"A.1": Mark(Decimal("0.85"), "x")})


def test_revision_increments_on_each_save(db: Database, declared: Committee) -> None:
    """Every save bumps the revision (the offline merge relies on it)."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        revisions = [
            sheets.save_draft(s, declared.bruno, p1, {"A.1": Mark(Decimal(v))}).revision for v in ("0.5", "0.6", "0.7")
        ]
    assert revisions == [1, 2, 3]


def test_submit_locks_and_hashes(db: Database, declared: Committee) -> None:
    """Submission stamps time and the SHA-256 of the canonical content; the sheet is then read-only."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando))
        sheet = sheets.submit(s, declared.bruno, p1)
        expected = {
            "bando": bando.code,
            "commissario": "Bruno Verdi",
            "protocollo": "P1",
            "voti": [
                {"sottocriterio": sub.code, "valore": "0.8", "motivazione": "Giudizio motivato."}
                for sub in sorted(bando.subcriteria, key=lambda x: x.code)
            ],
        }
        assert sheet.state == "inviata" and sheet.submitted_at is not None
        assert sheet.content_hash == hashlib.sha256(canonical_json(expected).encode()).hexdigest()
        with pytest.raises(RuleViolation, match="già stata inviata"):
            sheets.save_draft(s, declared.bruno, p1, {"A.1": Mark(Decimal("0.1"), "cambio")})
        with pytest.raises(RuleViolation, match="già stata inviata"):
            sheets.submit(s, declared.bruno, p1)
        assert s.scalars(select(AuditRow).where(AuditRow.action == "scheda.inviata")).one().actor == "Bruno Verdi"


def test_only_chair_reopens_with_reason(db: Database, declared: Committee) -> None:
    """Reopening a submitted sheet is the presidente's, with a reason, audited; the sheet is a draft again."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando))
        sheets.submit(s, declared.bruno, p1)
        for who in (declared.carla, declared.secretary, declared.bruno):
            with pytest.raises(RuleViolation, match="Solo il presidente"):
                sheets.reopen(s, declared.bruno, p1, who, "errore materiale")
        with pytest.raises(RuleViolation, match="motivo"):
            sheets.reopen(s, declared.bruno, p1, declared.chair, " ")
        sheet = sheets.reopen(s, declared.bruno, p1, declared.chair, "Errore materiale su A.1 segnalato in seduta")
        assert (sheet.state, sheet.content_hash, sheet.submitted_at) == ("bozza", None, None)
        row = s.scalars(select(AuditRow).where(AuditRow.action == "scheda.riaperta")).one()
        assert row.actor == "Anna Rossi" and "Errore materiale" in row.after_json
        sheets.save_draft(s, declared.bruno, p1, {"A.1": Mark(Decimal("0.9"), "Corretto dopo riapertura")})
        assert sheets.submit(s, declared.bruno, p1).state == "inviata"


def test_others_scores_hidden_until_own_submission(db: Database, declared: Committee) -> None:
    """A member sees the others' scores on an application only after submitting their own; drafts never."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando, "0.7"))
        sheets.submit(s, declared.bruno, p1)
        sheets.save_draft(s, declared.carla, p1, full_marks(bando, "0.6"))
        assert not sheets.other_sheets_visible(s, declared.carla, p1)
        with pytest.raises(RuleViolation, match="prima di aver inviato la propria scheda"):
            sheets.other_sheets(s, declared.carla, p1)
        with pytest.raises(RuleViolation):
            sheets.other_sheets(s, declared.secretary, p1)
        others = sheets.other_sheets(s, declared.bruno, p1)
        assert others == []  # Carla's draft is hers alone
        sheets.submit(s, declared.carla, p1)
        seen = sheets.other_sheets(s, declared.carla, p1)
        assert [v.member for v in seen] == ["Bruno Verdi"]
        assert seen[0].mark("A.1") == Mark(Decimal("0.7"), "Giudizio motivato.")
        assert not sheets.other_sheets_visible(s, declared.secretary, p1)  # the chair has not submitted
        sheets.save_draft(s, declared.chair, p1, full_marks(bando))
        sheets.submit(s, declared.chair, p1)
        assert [v.member for v in sheets.other_sheets(s, declared.secretary, p1)] == [
            "Anna Rossi",
            "Bruno Verdi",
            "Carla Neri",
        ]


def test_submit_all_complete_skips_incomplete(db: Database, declared: Committee) -> None:
    """Submitting a member's sheets in bulk submits the complete drafts and leaves the incomplete ones."""
    p1, p2 = declared.domande[:2]
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        sheets.save_draft(s, declared.bruno, p1, full_marks(bando))
        sheets.save_draft(s, declared.bruno, p2, {"A.1": Mark(Decimal("0.5"), "x")})
        assert sheets.submit_all_complete(s, declared.bruno) == ["P1"]
        states = {r.domanda_id: r.state for r in s.scalars(select(Scheda))}
    assert states == {p1: "inviata", p2: "bozza"}


def test_draft_on_an_application_since_in_conflict_never_blocks_the_others(db: Database, declared: Committee) -> None:
    """Issue 14: a complete draft on an application later declared in conflict (or excluded) is set aside,
    kept as it is, and the member's other complete drafts are submitted all the same."""
    from valutazione.services import admissibility, conflicts, home

    p1, p2, p3 = declared.domande
    with db.sessions.begin() as s:
        bando = sheets.lookup.rules(s)
        for d in (p1, p2, p3):
            sheets.save_draft(s, declared.bruno, d, full_marks(bando))
        admissibility.decide(s, p2, "ammissibile", "Requisiti verificati", "Commissione")
        conflicts.declare(s, declared.bruno, p2, True, "Parente nel consiglio direttivo")
        admissibility.decide(s, p3, "esclusa", "Fuori dalle zone bersaglio", "Commissione")
        assert home.complete_drafts(s, declared.bruno) == ("P1",)
        assert sheets.set_aside_drafts(s, declared.bruno) == ["P2", "P3"]
        assert sheets.submit_all_complete(s, declared.bruno) == ["P1"]
        states = {r.domanda_id: r.state for r in s.scalars(select(Scheda))}
        steps = {step.text.split(":")[0]: step for step in home.home(s, declared.bruno).steps}
    assert states == {p1: "inviata", p2: "bozza", p3: "bozza"}
    assert steps["Bozze salvate, non ancora inviate"].done
