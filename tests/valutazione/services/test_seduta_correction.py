"""Correcting a recorded session: a reason, both values in the log, a line in the minutes, seals intact."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.valutazione.services.conftest import Committee
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow
from valutazione.reports.verbale_data import collect_verbale
from valutazione.seals import verify_seals
from valutazione.services import committee, sedute
from valutazione.services.seduta_correction import SedutaChange, correct_seduta, present_ids


def _first(db: Database, team: Committee) -> int:
    with db.sessions.begin() as s:
        row = sedute.record_seduta(
            s, date(2018, 4, 16), "09:30", "12:00", "Sala A", "Insediamento", [team.chair, team.bruno], "Anna"
        )
    return row.id


def test_correction_keeps_original_and_correction(db: Database, declared: Committee) -> None:
    """Day, place and attendance corrected with a reason: the log holds before and after, the notes say it."""
    seduta = _first(db, declared)
    change = SedutaChange(
        day=date(2018, 4, 17), place="Sala B", present=frozenset({declared.chair, declared.bruno, declared.carla})
    )
    with db.sessions.begin() as s:
        row = correct_seduta(s, seduta, change, "Errore di trascrizione dal foglio presenze", "Dario Bianchi")
    assert row.day == date(2018, 4, 17) and row.place == "Sala B"
    assert "Rettifica del " in row.notes and "Errore di trascrizione dal foglio presenze" in row.notes
    assert "luogo: «Sala A» → «Sala B»" in row.notes and "data: «16/04/2018» → «17/04/2018»" in row.notes
    with db.sessions() as s:
        assert present_ids(s, seduta) == {declared.chair, declared.bruno, declared.carla}
        entry = s.scalars(select(AuditRow).where(AuditRow.action == "seduta.rettificata")).one()
        assert entry.actor == "Dario Bianchi"
        before, after = json.loads(entry.before_json), json.loads(entry.after_json)
        assert before == {"data": "2018-04-16", "luogo": "Sala A", "presenti": ["Anna Rossi", "Bruno Verdi"]}
        assert after["luogo"] == "Sala B" and after["presenti"] == ["Anna Rossi", "Bruno Verdi", "Carla Neri"]
        assert after["motivo"] == "Errore di trascrizione dal foglio presenze"
        assert verify_seals(s) == []


@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        (SedutaChange(place="Sala B"), "  ", "motivo della rettifica"),
        (SedutaChange(place="Sala A"), "nessuna", "non cambia nulla"),
        (SedutaChange(end_time="08:00"), "orario", "precede l'ora di inizio"),
        (SedutaChange(start_time="9.30"), "orario", "formato hh:mm"),
        (SedutaChange(place=""), "luogo", "Indicare il luogo"),
        (SedutaChange(present=frozenset({999})), "presenze", "sconosciuti: 999"),
    ],
)
def test_bad_correction_refused_and_nothing_written(
    db: Database, declared: Committee, change: SedutaChange, reason: str, message: str
) -> None:
    """A correction without a reason, changing nothing, or with an invalid value is refused; nothing is written."""
    seduta = _first(db, declared)
    with pytest.raises(RuleViolation, match=message), db.sessions.begin() as s:
        correct_seduta(s, seduta, change, reason, "Dario Bianchi")
    with db.sessions() as s:
        assert sedute.list_sedute(s)[0].place == "Sala A"
        assert s.scalars(select(AuditRow).where(AuditRow.action == "seduta.rettificata")).first() is None


def test_correction_never_erases_earlier_notes(db: Database, declared: Committee) -> None:
    """Corrections are notes added, never rewrites: a correction that drops or rewrites recorded notes is refused."""
    seduta = _first(db, declared)
    with db.sessions.begin() as s:
        sedute.add_note(s, seduta, "Correzione: al punto 1 leggere «sei domande».", "Dario Bianchi")
        first = correct_seduta(s, seduta, SedutaChange(place="Sala B"), "Sala cambiata all'ultimo", "Dario Bianchi")
    for notes in ("", "Nessuna nota.", first.notes.replace("sei domande", "sette domande"), first.notes + " (firmato)"):
        with pytest.raises(RuleViolation, match="non si cancellano né si riscrivono"), db.sessions.begin() as s:
            correct_seduta(s, seduta, SedutaChange(notes=notes, agenda="Altro"), "Pulizia delle note", "Dario Bianchi")
    with db.sessions.begin() as s:
        added = f"{first.notes}\nCorrezione: al punto 2 leggere «tre componenti»."
        row = correct_seduta(s, seduta, SedutaChange(notes=added), "Nota omessa", "Dario Bianchi")
    assert row.notes.startswith(first.notes + "\nCorrezione: al punto 2")
    assert "luogo: «Sala A» → «Sala B»" in row.notes and row.agenda == "Insediamento"


def test_correction_never_marks_absent_a_member_appointed_later(db: Database, declared: Committee) -> None:
    """A member added after the session is not made «assente» in its minutes by a correction of something else
    (the form sends the whole attendance): their presence stays unrecorded, as the log says nothing of it."""
    seduta = _first(db, declared)
    with db.sessions.begin() as s:
        elena = committee.add_member(s, "Elena Gialli", "componente", "Anna Rossi").id
        present = present_ids(s, seduta)
        correct_seduta(s, seduta, SedutaChange(place="Sala B", present=present), "Sala cambiata", "Dario Bianchi")
    with db.sessions() as s:
        lines = {m.name: m.present for m in collect_verbale(s, 1).members}
        assert lines["Elena Gialli"] is None and lines["Carla Neri"] is False and lines["Bruno Verdi"] is True
        assert elena not in present_ids(s, seduta)


def test_a_note_cannot_pass_for_a_recorded_correction(db: Database, declared: Committee) -> None:
    """«Rettifica del …» lines are the recorded corrections' own: a typed note or session note opening so is
    refused (it would read as a correction with a reason in the log), a real correction still writes one."""
    seduta = _first(db, declared)
    fake = "Rettifica del 16/04/2018 (Dario Bianchi): Presenza omessa — presenti: «Anna Rossi» → «Carla Neri»"
    refusals = (
        lambda s: sedute.add_note(s, seduta, fake, "Dario Bianchi"),
        lambda s: sedute.add_note(s, seduta, "Nota.\n  rettifica DEL 17/04/2018: altro", "Dario Bianchi"),
        lambda s: sedute.record_seduta(s, date(2018, 4, 20), "", "", "Sala A", "", [], "Dario Bianchi", notes=fake),
        lambda s: correct_seduta(s, seduta, SedutaChange(notes=fake), "Nota", "Dario Bianchi"),
    )
    for refused in refusals:
        with pytest.raises(RuleViolation, match="non può iniziare con «Rettifica del»"), db.sessions.begin() as s:
            refused(s)
    with db.sessions.begin() as s:
        assert sedute.list_sedute(s)[0].notes == "" and len(sedute.list_sedute(s)) == 1
        row = correct_seduta(s, seduta, SedutaChange(place="Sala B"), "Sala cambiata", "Dario Bianchi")
    assert row.notes.startswith("Rettifica del ") and "Sala cambiata" in row.notes


def test_sessions_of_one_day_cannot_overlap(db: Database, declared: Committee) -> None:
    """A session's hours cannot overlap another's of the same day, on recording or on correcting (the minutes
    would report the same decisions twice, under two lists of those present); back to back is fine."""
    first = _first(db, declared)  # 16/04/2018 09:30–12:00
    day = date(2018, 4, 16)
    with pytest.raises(RuleViolation, match="si sovrappongono a quelli della seduta n. 1"), db.sessions.begin() as s:
        sedute.record_seduta(s, day, "11:00", "13:00", "Sala A", "Bis", [declared.bruno], "Dario Bianchi")
    with db.sessions.begin() as s:
        second = sedute.record_seduta(s, day, "12:00", "13:00", "Sala A", "Seguito", [], "Dario Bianchi").id
        sedute.record_seduta(s, date(2018, 4, 17), "09:30", "12:00", "Sala A", "Altro giorno", [], "Dario Bianchi")
    with pytest.raises(RuleViolation, match="si sovrappongono a quelli della seduta n. 2"), db.sessions.begin() as s:
        correct_seduta(s, first, SedutaChange(end_time="12:30"), "Fine posticipata", "Dario Bianchi")
    with pytest.raises(RuleViolation, match="si sovrappongono a quelli della seduta n. 1"), db.sessions.begin() as s:
        correct_seduta(s, second, SedutaChange(start_time="11:59"), "Inizio anticipato", "Dario Bianchi")
    with db.sessions() as s:
        assert [(x.number, x.start_time, x.end_time) for x in sedute.list_sedute(s)] == [
            (1, "09:30", "12:00"),
            (2, "12:00", "13:00"),
            (3, "09:30", "12:00"),
        ]


def test_no_session_before_the_committee_was_appointed(db: Database, declared: Committee) -> None:
    """A session cannot be dated before the act appointing the committee, on recording or correcting, nor the
    act after a session already recorded: the minutes would show a body sitting before it existed."""
    seduta = _first(db, declared)  # 16/04/2018
    with db.sessions.begin() as s:
        committee.set_appointment(s, "Determinazione n. 12/2018", date(2018, 4, 10), "Anna Rossi")
    refusals = (
        (lambda s: sedute.record_seduta(s, date(2018, 4, 5), "", "", "Sala A", "", [], "Dario Bianchi"), "precede"),
        (lambda s: correct_seduta(s, seduta, SedutaChange(day=date(2018, 4, 9)), "Data", "Dario Bianchi"), "precede"),
        (lambda s: committee.set_appointment(s, "Determinazione n. 12/2018", date(2018, 4, 17), "Anna Rossi"), "segue"),
    )
    for refused, message in refusals:
        with pytest.raises(RuleViolation, match=message), db.sessions.begin() as s:
            refused(s)
    with db.sessions() as s:
        assert [(x.number, x.day) for x in sedute.list_sedute(s)] == [(1, date(2018, 4, 16))]
        assert committee.appointment(s).day == date(2018, 4, 10)
