"""The home page of each role: where the procedure stands, from one frozen record."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.builders import State, committee_file
from valutazione.db import opened
from valutazione.models import Scheda
from valutazione.services import committee, home, sheets
from valutazione.services.lookup import member_by_name


def _texts(record: home.Home) -> list[str]:
    return [step.text for step in record.steps]


def test_chair_home_follows_the_procedure(tmp_path: Path) -> None:
    """Imported file: the chair's next action is admissibility; at the end the definitive ranking is done."""
    start = committee_file(tmp_path / "a.valutazione", State.IMPORTED)
    with opened(start.path) as db, db.sessions() as s:
        record = home.home(s, start.members["Anna Rossi"])
    texts = _texts(record)
    assert texts[0].startswith("Domande importate: ") and texts[0] != "Domande importate: 0"
    assert record.steps[0].done and not record.steps[1].done
    assert record.headline.startswith("Prossima azione: Ammissibilità decisa: 0 su ")
    assert [x.title for x in record.sections] == ["La procedura", "Le proprie valutazioni"]

    end = committee_file(tmp_path / "b.valutazione", State.DEFINITIVE)
    with opened(end.path) as db, db.sessions() as s:
        record = home.home(s, end.members["Anna Rossi"])
    ranking = next(x for x in record.steps if x.place == home.RANKING)
    assert ranking.done and ranking.text.startswith("Graduatoria definitiva approvata (versione 2)")
    progress = next(x for x in record.steps if x.place == home.PROGRESS)
    assert progress.done


def test_member_home_counts_sheets_and_shows_the_reopening_reason(tmp_path: Path) -> None:
    """A member sees what is left to score, drafts, and a reopened sheet with the chair's reason."""
    built = committee_file(tmp_path / "c.valutazione", State.SUBMITTED)
    with opened(built.path) as db:
        with db.sessions.begin() as s:
            bruno, anna = built.members["Bruno Bianchi"], built.members["Anna Rossi"]
            sheet = s.scalars(select(Scheda).where(Scheda.commissario_id == bruno)).first()
            assert sheet is not None
            sheets.reopen(s, bruno, sheet.domanda_id, anna, "Motivazione del criterio A.2 troppo generica")
        with db.sessions() as s:
            record = home.home(s, bruno)
            assert member_by_name(s, "Bruno Bianchi").role == committee.COMPONENTE
    texts = _texts(record)
    assert texts[0] == "Domande da valutare: 0"
    assert texts[1] == "Bozze salvate, non ancora inviate: 1"
    assert any(
        t.startswith("Scheda riaperta dal presidente — ") and "«Motivazione del criterio A.2" in t for t in texts
    )
    assert record.headline.startswith("Prossima azione: Bozze salvate")


def test_secretary_home_is_about_sessions(tmp_path: Path) -> None:
    """The secretary's page speaks of sessions and minutes only."""
    built = committee_file(tmp_path / "d.valutazione", State.IMPORTED)
    with opened(built.path) as db, db.sessions() as s:
        record = home.home(s, built.members["Dario Neri"])
    assert [x.title for x in record.sections] == ["Sedute e verbali"]
    assert _texts(record) == ["Sedute registrate: nessuna"]


def test_chair_home_does_not_count_a_sheet_left_out_for_a_conflict(tmp_path: Path) -> None:
    """A sheet sent before its author declared a conflict is not among the sheets the ranking awaits: the chair's
    count does not reach «all in» with it while another member's sheet is missing."""
    from tests.valutazione.services.conftest import full_marks
    from valutazione.services import conflicts, lookup

    cf = committee_file(tmp_path / "c.valutazione", State.ADMISSIBILITY)
    anna, bruno = cf.members["Anna Rossi"], cf.members["Bruno Bianchi"]
    with opened(cf.path) as db, db.sessions.begin() as s:
        d = lookup.domanda_by_protocol(s, "PG 101/2018").id
        for member in (bruno, anna):
            sheets.save_draft(s, member, d, full_marks(lookup.rules(s)))
            sheets.submit(s, member, d)
        conflicts.declare(s, bruno, d, True, "Socio dell'ente proponente")
        progress = next(x for x in home.home(s, anna).steps if x.place == home.PROGRESS)
        admitted = len(conflicts.assigned_ids(s, anna))
    assert progress.text == f"Schede inviate: 1 su {admitted * 3 - 1} attese" and not progress.done
