"""The minutes of a session, read back: heading, attendance, decisions from the audit log, signatures."""

from __future__ import annotations

import inspect
import re
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.builders import State, committee_file
from tests.valutazione.reports.conftest import ABSENT, CHAIR, MEMBERS, SECRETARY
from tests.valutazione.reports.pdftools import assert_all_embedded, text_of
from valutazione.bando import load_bando
from valutazione.db import Database, create_database, opened
from valutazione.importers.domande import import_domande
from valutazione.models import AuditRow, Domanda
from valutazione.paths import resource
from valutazione.reports import verbale_data
from valutazione.reports.layout import fingerprint_of
from valutazione.reports.verbale import build_verbale_pdf
from valutazione.reports.verbale_data import REPORTED_ACTIONS, _sections, collect_verbale
from valutazione.services import abstentions, committee, conflicts, lookup, lots, sedute
from valutazione.signing import list_signature_fields


def test_verbale_reports_the_session(committee_db: Database, tmp_path: Path) -> None:
    """Verbale: authority, call, session, times, place, act, attendance, agenda, decisions, ranking, rounding, notes."""
    with committee_db.sessions() as s:
        pdf = build_verbale_pdf(s, 1)
    text = text_of(pdf)
    for needle in (
        "Comune di Milano",
        "MI3.3.1.e",
        "Verbale della seduta n. 1",
        "09:30 – 12:45",
        "Palazzo Marino",
        "Determinazione dirigenziale n. 123/2018 del 10 marzo 2018",
        f"{ABSENT} Componente assente",
        f"segretario verbalizzante {SECRETARY}",
        "Ammissibilità formale",
        "Valutazione di merito",
        "Domanda PG-006 (Associazione Quartiere 6 APS): esclusa. Motivazione: Forma giuridica non ammessa",
        "dichiara un conflitto di interessi sulla domanda PG-002",
        "Graduatoria provvisoria approvata nella seduta",
        "2 decimali, arrotondamento per eccesso da 5",
        "Correzione: al punto 1",
        "Letto, confermato e sottoscritto",
    ):
        assert needle in text, needle
    assert_all_embedded(pdf, tmp_path)


def test_verbale_has_one_empty_signature_field_per_signer(committee_db: Database, tmp_path: Path) -> None:
    """Verbale: an empty PAdES field per present signer (presidente, componenti, segretario), none for the absent."""
    with committee_db.sessions() as s:
        pdf = build_verbale_pdf(s, 1)
    path = tmp_path / "verbale.pdf"
    path.write_bytes(pdf)
    fields = list_signature_fields(path)
    names = sorted(f.name for f in fields)
    expected = sorted(
        [
            f"Presidente - {CHAIR}",
            f"Componente - {MEMBERS[1]}",
            f"Componente - {MEMBERS[2]}",
            f"Segretario verbalizzante - {SECRETARY}",
        ]
    )
    assert names == expected
    assert not any(f.signed for f in fields)
    text = text_of(pdf)
    for name in (CHAIR, MEMBERS[1], MEMBERS[2], SECRETARY):
        assert name in text


def test_fingerprint_is_the_full_copy_of_the_minutes(committee_db: Database) -> None:
    """The minutes' fingerprint (footer, anchors) is SHA-256 of asdict() with the call's code and ranking prints."""
    with committee_db.sessions() as s:
        data = collect_verbale(s, 1)
    assert data.rankings and data.decisions and data.members
    content = asdict(data)
    content["bando"] = data.bando.code
    content["rankings"] = [r.fingerprint for r in data.rankings]
    assert data.fingerprint() == fingerprint_of(content)
    assert data.fingerprint() != fingerprint_of({**content, "notes": data.notes + "."})


def test_minutes_read_every_reported_action(committee_db: Database) -> None:
    """Reading only the reported actions drops nothing: the sections equal those built from every row in the window."""
    with committee_db.sessions() as s:
        data = collect_verbale(s, 1)
        columns = (AuditRow.action, AuditRow.actor, AuditRow.entity_id, AuditRow.at, AuditRow.after_json)
        window = (AuditRow.at >= data.window[0], AuditRow.at <= data.window[1])
        rows = list(s.execute(select(*columns).where(*window).order_by(AuditRow.id)))
        applicants = {p: a for p, a in s.execute(select(Domanda.protocol, Domanda.applicant))}
    assert {r.action for r in rows} - set(REPORTED_ACTIONS), "the log should hold actions the minutes skip"
    assert (data.declarations, data.decisions) == _sections(rows, applicants, ZoneInfo(data.bando.timezone))


def test_every_described_action_is_read() -> None:
    """An action the minutes describe is one they read from the log (a new sentence cannot be silently missed)."""
    described = set(re.findall(r'action == "([^"]+)"', inspect.getsource(verbale_data)))
    assert described == set(REPORTED_ACTIONS)


def test_session_recorded_late_reports_only_its_own_day(tmp_path: Path) -> None:
    """Verbale: a session recorded days after it was held does not claim the decisions logged since on other days."""
    path = committee_file(tmp_path / "c.valutazione", State.ADMISSIBILITY).path
    with opened(path) as db:
        with db.sessions.begin() as s:
            held = datetime.now(ZoneInfo("Europe/Rome")).date() - timedelta(days=7)
            members = [m.id for m in committee.list_members(s)]
            sedute.record_seduta(s, held, "09:30", "12:00", "Palazzo Marino", "Ammissibilità", members, "Dario Neri")
        with db.sessions() as s:
            data = collect_verbale(s, 1)
            decided = s.scalars(select(AuditRow).where(AuditRow.action == "ammissibilita.decisa")).all()
    assert decided, "the file should hold admissibility decisions, logged today"
    assert data.declarations == () and data.decisions == ()


def test_withdrawn_abstention_and_lot_set_are_in_the_minutes(tmp_path: Path) -> None:
    """Verbale: an abstention the chair withdraws (the member's marks count again) and a lot the chair sets are
    decisions of the session, with their reasons, not only the declaration of conflict."""
    path = committee_file(tmp_path / "c.valutazione", State.ADMISSIBILITY).path
    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    with opened(path) as db:
        with db.sessions.begin() as s:
            members = {m.name: m.id for m in committee.list_members(s)}
            sedute.record_seduta(s, today, "", "", "Palazzo Marino", "Conflitti", members.values(), "Dario Neri")
            d = lookup.domanda_by_protocol(s, "PG 101/2018")
            conflicts.declare(s, members["Bruno Bianchi"], d.id, True, "Parente del legale rappresentante")
            abstentions.withdraw_abstention(s, members["Bruno Bianchi"], d.id, "Omonimia, non è parente", "Anna Rossi")
        with db.sessions() as s:
            data = collect_verbale(s, 1)
    items = [i for section in data.declarations if section.title == "Conflitti di interessi" for i in section.items]
    assert any("Bruno Bianchi dichiara un conflitto di interessi sulla domanda PG 101/2018" in i for i in items)
    assert any(
        i.startswith("Anna Rossi ritira l'astensione di Bruno Bianchi sulla domanda PG 101/2018")
        and i.endswith("Motivazione: Omonimia, non è parente")
        for i in items
    )
    quartieri = create_database(
        tmp_path / "quartieri.valutazione", load_bando(resource("bandi", "quartieri-connessi.toml"))
    )
    try:
        with quartieri.sessions.begin() as s:
            import_domande(s, resource("demo", "domande-quartieri.csv"))
            sedute.record_seduta(s, today, "", "", "Palazzo Marino", "Linee", [], "Giulia Ferrari")
            lots.set_lot(s, "QC 10/2019", "L2", "Linea nel modulo cartaceo", "Giulia Ferrari")
        with quartieri.sessions() as s:
            data = collect_verbale(s, 1)
    finally:
        quartieri.close()
    decided = [i for section in data.decisions if section.title == "Ammissibilità formale" for i in section.items]
    assert any(i.endswith("concorre nel lotto L2. Motivazione: Linea nel modulo cartaceo") for i in decided)


def test_two_sessions_of_a_day_recorded_together_do_not_share_decisions(tmp_path: Path) -> None:
    """Verbale: a morning session recorded in the evening, after the afternoon one, does not report the
    afternoon's decisions: each decision is in the minutes of the session whose hours hold it."""
    path = committee_file(tmp_path / "c.valutazione", State.ADMISSIBILITY).path  # decisions logged now
    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    with opened(path) as db:
        with db.sessions.begin() as s:
            members = [m.id for m in committee.list_members(s)]
            sedute.record_seduta(s, today, "00:00", "00:00", "Sala A", "Mattina", members, "Dario Neri")
            sedute.record_seduta(s, today, "00:01", "23:59", "Sala A", "Pomeriggio", members, "Dario Neri")
        with db.sessions() as s:
            morning, afternoon = collect_verbale(s, 1), collect_verbale(s, 2)
    assert [x.title for x in afternoon.decisions] == ["Ammissibilità formale"]
    assert morning.decisions == () and morning.declarations == ()
