"""A committee's file with a recorded session, built through the real services on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.builders import Builder, domanda, new_file
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Presenza, Seduta, utcnow
from valutazione.services import lookup, sheets
from valutazione.services import ranking as ranking_service

CHAIR = "Laura Fumagalli"
MEMBERS = (CHAIR, "Marco Brambilla", "Giulia Colombo")
ABSENT = "Anna Verdi"
SECRETARY = "Paolo Rossi"
REPRESENTATIVES = ("Mario Bianchi", "Lucia Neri", "Giorgio Gallo", "Elena Conti", "Stefano Marino", "Chiara Greco")
COEFF = ("0.9", "0.8", "0.7", "0.8", "0.6", "0.9", "0.7", "0.8", "0.7")


@pytest.fixture
def committee_db(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    """Six applications (one excluded, one conflict), a first session with one member absent, and the
    provisional ranking approved in it; built with the steps of tests/builders.py."""
    db = new_file(tmp_path / "commissione.valutazione", milano)
    roles = [(CHAIR, "presidente"), (MEMBERS[1], "componente"), (MEMBERS[2], "componente")]
    b = Builder(db).committee(
        [*roles, (ABSENT, "componente"), (SECRETARY, "segretario")],
        appointment=("Determinazione dirigenziale n. 123/2018", date(2018, 3, 10)),
    )
    with db.sessions.begin() as s:
        seduta = Seduta(
            number=1,
            day=datetime.now(ZoneInfo("Europe/Rome")).date(),  # the minutes' day is Milan's
            start_time="09:30",
            end_time="12:45",
            place="Palazzo Marino, sala Gialla",
            agenda="1. Ammissibilità formale\n2. Valutazione di merito",
            notes="Correzione: al punto 1 leggere «sei domande».",
            opened_at=utcnow() - timedelta(seconds=1),
        )
        s.add(seduta)
        s.flush()
        for name, mid in b.members.items():
            s.add(Presenza(seduta_id=seduta.id, commissario_id=mid, present=name != ABSENT))
        seduta_id = seduta.id
    b.declare([*MEMBERS, SECRETARY])
    b.domande(
        domanda(
            f"PG-{i:03d}",
            submitted_at=datetime(2018, 2, i, 10, tzinfo=UTC),
            applicant=f"Associazione Quartiere {i} APS",
            legal_form="APS",
            tax_code=f"9701234567{i}",
            legal_representative=rep,
            title=f"Cortili aperti {i}: innovazione sociale a Corvetto",
            zone_text="Corvetto",
            total_cost_cents=6_000_000,
            grant_cents=4_800_000 + i * 100_000,
            cofinancing_cents=1_000_000,
        )
        for i, rep in enumerate(REPRESENTATIVES, start=1)
    )
    b.conflict(MEMBERS[2], "PG-002", "socio dell'associazione proponente")
    chair = Builder(db, actor=CHAIR)
    for i in range(1, len(REPRESENTATIVES) + 1):
        if i == 6:
            chair.decide("PG-006", "esclusa", "Forma giuridica non ammessa")
        else:
            chair.decide(f"PG-{i:03d}", "ammissibile", "Requisiti formali verificati")
    with db.sessions.begin() as s:
        for k in range(5):
            domanda_id = lookup.domanda_by_protocol(s, f"PG-{k + 1:03d}").id
            for j, name in enumerate(MEMBERS):
                if k == 1 and name == MEMBERS[2]:
                    continue
                marks = {
                    sub.code: sheets.Mark(Decimal(COEFF[(k + j + n) % len(COEFF)]), f"Giudizio {sub.code} di {name}")
                    for n, sub in enumerate(milano.subcriteria)
                }
                sheets.save_draft(s, b.members[name], domanda_id, marks)
                sheets.submit(s, b.members[name], domanda_id)
    chair.approve(ranking_service.PROVISIONAL, "Prima graduatoria", seduta_id)
    with db.sessions.begin() as s:
        closing = s.get(Seduta, seduta_id)
        assert closing is not None
        closing.closed_at = utcnow() + timedelta(seconds=1)
    yield db
    db.close()
