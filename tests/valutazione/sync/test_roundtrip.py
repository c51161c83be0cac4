"""Offline evaluation end to end: three members, three packages, three signed returns, one master file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import (
    NAMES,
    build_chair,
    dump,
    export,
    give_back,
    key_for,
    marks_for,
    merge,
    score,
    sheet_states,
    slug,
    work_offline,
)
from valutazione.bando import Bando
from valutazione.db import Database, open_database
from valutazione.models import Pacchetto
from valutazione.services import lookup, ranking, sheets
from valutazione.services.conflicts import in_conflict
from valutazione.sync.keys import fingerprint


def _offline_round(chair: Database, tmp_path: Path) -> dict[str, Path]:
    returns = {}
    for name in NAMES:
        laptop = tmp_path / slug(name)
        pkg = export(chair, name, laptop / "valutazione.valpkg")
        work_offline(pkg, name)
        returns[name] = give_back(pkg, laptop / "ritorno-1.valret", key_for(tmp_path, name))
    return returns


def test_three_members_offline_give_the_same_ranking_as_typed_at_the_chair(
    chair: Database, tmp_path: Path, milano: Bando
) -> None:
    """Scores given offline and merged rank exactly as the same scores typed at the chair."""
    for ret in _offline_round(chair, tmp_path).values():
        report = merge(chair, ret)
        assert report.key_pinned and report.changed > 0, report.text()
    twin = build_chair(tmp_path / "gemello" / "bando.valutazione", milano)
    try:
        for name in NAMES:
            score(twin, name)
        with chair.sessions() as s:
            merged = ranking.compute(s)
        with twin.sessions() as s:
            typed = ranking.compute(s)
    finally:
        twin.close()
    assert [r.protocol for r in merged.ranking.rows] == [r.protocol for r in typed.ranking.rows]
    assert merged.fingerprint() == typed.fingerprint()
    states = sheet_states(chair)
    assert len(states) == 3 + 3 + 2  # P1-P3 each, Carla Neri abstains on P2, nobody scores excluded P4
    assert all(state == "inviata" for state, _rev, _hash in states.values())


def test_merged_submitted_sheet_keeps_the_members_hash_and_is_locked(chair: Database, tmp_path: Path) -> None:
    """A sheet submitted offline arrives with the hash the services compute, and stays locked at the chair."""
    ret = _offline_round(chair, tmp_path)["Bruno Verdi"]
    merge(chair, ret)
    with chair.sessions() as s:
        m = lookup.member_by_name(s, "Bruno Verdi")
        d = lookup.domanda_by_protocol(s, "P1")
        view = sheets.own_sheet(s, m.id, d.id)
        assert view.state == "inviata" and view.submitted_at is not None
        import pytest

        from valutazione.errors import RuleViolation

        with pytest.raises(RuleViolation, match="già"):
            sheets.save_draft(s, m.id, d.id, {})


def test_first_return_pins_the_key_and_records_the_sequence(chair: Database, tmp_path: Path) -> None:
    """The first trusted return stores the member's key; the merged return is recorded as 'ritorno'."""
    ret = _offline_round(chair, tmp_path)["Anna Rossi"]
    merge(chair, ret)
    with chair.sessions() as s:
        m = lookup.member_by_name(s, "Anna Rossi")
        assert m.public_key is not None
        assert fingerprint(m.public_key) == key_for(tmp_path, "Anna Rossi").fingerprint
        rows = s.scalars(select(Pacchetto).where(Pacchetto.commissario_id == m.id)).all()
        assert sorted((p.direction, p.sequence) for p in rows) == [("ritorno", 1), ("uscita", 1)]


def test_same_return_twice_changes_nothing(chair: Database, tmp_path: Path) -> None:
    """Importing the same return a second time leaves the chair's file byte-for-byte as it was."""
    ret = _offline_round(chair, tmp_path)["Bruno Verdi"]
    merge(chair, ret)
    before = dump(chair.path)
    report = merge(chair, ret)
    assert report.already_merged
    assert "già importato" in report.text()
    assert dump(chair.path) == before


def test_returns_out_of_order_keep_the_newest(chair: Database, tmp_path: Path) -> None:
    """A day-one draft merged after the day-two submission does not undo it."""
    laptop = tmp_path / "bruno"
    key = key_for(tmp_path, "Bruno Verdi")
    pkg = export(chair, "Bruno Verdi", laptop / "valutazione.valpkg")
    work_offline(pkg, "Bruno Verdi", submit=False)
    day_one = give_back(pkg, laptop / "giorno-1.valret", key)
    work_offline(pkg, "Bruno Verdi", submit=True, shift=1)
    day_two = give_back(pkg, laptop / "giorno-2.valret", key)
    merge(chair, day_two)
    after_day_two = sheet_states(chair)
    report = merge(chair, day_one)
    assert report.changed == 0, report.text()
    assert sheet_states(chair) == after_day_two
    assert all(state == "inviata" for state, _r, _h in after_day_two.values())


def test_newer_draft_replaces_older_draft(chair: Database, tmp_path: Path) -> None:
    """Drafts travel too: a later return's draft (higher revision) replaces the earlier one at the chair."""
    laptop = tmp_path / "bruno"
    key = key_for(tmp_path, "Bruno Verdi")
    pkg = export(chair, "Bruno Verdi", laptop / "valutazione.valpkg")
    work_offline(pkg, "Bruno Verdi", submit=False)
    merge(chair, give_back(pkg, laptop / "giorno-1.valret", key))
    first = sheet_states(chair)[("Bruno Verdi", "P1")]
    work_offline(pkg, "Bruno Verdi", submit=False, shift=2)
    report = merge(chair, give_back(pkg, laptop / "giorno-2.valret", key))
    second = sheet_states(chair)[("Bruno Verdi", "P1")]
    assert first[0] == second[0] == "bozza" and second[1] > first[1]
    assert "bozza di Bruno Verdi aggiornata" in report.text()


def test_reopened_sheet_takes_the_newer_return(chair: Database, tmp_path: Path) -> None:
    """After the chair reopens a merged sheet, the next package's resubmission replaces it."""
    laptop = tmp_path / "bruno"
    key = key_for(tmp_path, "Bruno Verdi")
    pkg1 = export(chair, "Bruno Verdi", laptop / "pacchetto-1.valpkg")
    work_offline(pkg1, "Bruno Verdi")
    merge(chair, give_back(pkg1, laptop / "ritorno-1.valret", key))
    old_hash = sheet_states(chair)[("Bruno Verdi", "P1")][2]
    with chair.sessions.begin() as s:
        m, d = lookup.member_by_name(s, "Bruno Verdi"), lookup.domanda_by_protocol(s, "P1")
        sheets.reopen(s, m.id, d.id, lookup.member_by_name(s, "Anna Rossi").id, "Motivazione da completare")
    pkg2 = export(chair, "Bruno Verdi", laptop / "pacchetto-2.valpkg")
    member_db = open_database(open_package_path(pkg2))
    try:
        with member_db.sessions.begin() as s:
            m, d = lookup.member_by_name(s, "Bruno Verdi"), lookup.domanda_by_protocol(s, "P1")
            assert sheets.own_sheet(s, m.id, d.id).state == "bozza"
            sheets.save_draft(s, m.id, d.id, marks_for(lookup.rules(s), "Bruno Verdi", "P1", shift=3))
            sheets.submit(s, m.id, d.id)
    finally:
        member_db.close()
    report = merge(chair, give_back(pkg2, laptop / "ritorno-2.valret", key))
    state, _rev, new_hash = sheet_states(chair)[("Bruno Verdi", "P1")]
    assert state == "inviata" and new_hash != old_hash, report.text()


def open_package_path(pkg: Path) -> Path:

    return open_confirmed(pkg).path


def test_conflict_declared_offline_becomes_an_abstention(chair: Database, tmp_path: Path) -> None:
    """A conflict declared on the laptop reaches the chair: the member abstains and no sheet is merged."""
    laptop = tmp_path / "bruno"
    pkg = export(chair, "Bruno Verdi", laptop / "valutazione.valpkg")
    member_db = open_database(open_package_path(pkg))
    try:
        with member_db.sessions.begin() as s:
            from valutazione.services.conflicts import declare

            m, d = lookup.member_by_name(s, "Bruno Verdi"), lookup.domanda_by_protocol(s, "P3")
            declare(s, m.id, d.id, True, "Socio dell'ente proponente")
    finally:
        member_db.close()
    work_offline(pkg, "Bruno Verdi")
    report = merge(chair, give_back(pkg, laptop / "ritorno.valret", key_for(tmp_path, "Bruno Verdi")))
    with chair.sessions() as s:
        m, d = lookup.member_by_name(s, "Bruno Verdi"), lookup.domanda_by_protocol(s, "P3")
        assert in_conflict(s, m.id, d.id)
    assert ("Bruno Verdi", "P3") not in sheet_states(chair)
    assert "si astiene" in report.text()
