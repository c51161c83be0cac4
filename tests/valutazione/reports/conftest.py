"""A committee's file with a recorded session, built through the real services on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from valutazione.bando import Bando
from valutazione.db import Database, create_database
from valutazione.models import Domanda, Presenza, Seduta, utcnow
from valutazione.services import admissibility, committee, conflicts, sheets
from valutazione.services import ranking as ranking_service

CHAIR = "Laura Fumagalli"
MEMBERS = (CHAIR, "Marco Brambilla", "Giulia Colombo")
ABSENT = "Anna Verdi"
SECRETARY = "Paolo Rossi"
REPRESENTATIVES = ("Mario Bianchi", "Lucia Neri", "Giorgio Gallo", "Elena Conti", "Stefano Marino", "Chiara Greco")
COEFF = ("0.9", "0.8", "0.7", "0.8", "0.6", "0.9", "0.7", "0.8", "0.7")


@pytest.fixture
def committee_db(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    db = create_database(tmp_path / "commissione.valutazione", milano)
    with db.sessions.begin() as s:
        ids = {}
        for name, role in [
            (CHAIR, "presidente"),
            (MEMBERS[1], "componente"),
            (MEMBERS[2], "componente"),
            (ABSENT, "componente"),
            (SECRETARY, "segretario"),
        ]:
            ids[name] = committee.add_member(s, name, role, "test").id
        committee.set_appointment(s, "Determinazione dirigenziale n. 123/2018", date(2018, 3, 10), "test")
        seduta = Seduta(
            number=1,
            day=datetime.now(UTC).date(),
            start_time="09:30",
            end_time="12:45",
            place="Palazzo Marino, sala Gialla",
            agenda="1. Ammissibilità formale\n2. Valutazione di merito",
            notes="Correzione: al punto 1 leggere «sei domande».",
            opened_at=utcnow() - timedelta(seconds=1),
        )
        s.add(seduta)
        s.flush()
        for name, mid in ids.items():
            s.add(Presenza(seduta_id=seduta.id, commissario_id=mid, present=name != ABSENT))
        for name in (*MEMBERS, SECRETARY):
            committee.declare_general(s, ids[name])
        domande = []
        for i, rep in enumerate(REPRESENTATIVES, start=1):
            d = Domanda(
                protocol=f"PG-{i:03d}",
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
            s.add(d)
            domande.append(d)
        s.flush()
        conflicts.declare(s, ids[MEMBERS[2]], domande[1].id, True, "socio dell'associazione proponente")
        for d in domande:
            if d.protocol == "PG-006":
                admissibility.decide(s, d.id, "esclusa", "Forma giuridica non ammessa", CHAIR)
            else:
                admissibility.decide(s, d.id, "ammissibile", "Requisiti formali verificati", CHAIR)
        for k, d in enumerate(domande[:5]):
            for j, name in enumerate(MEMBERS):
                if d.protocol == "PG-002" and name == MEMBERS[2]:
                    continue
                marks = {
                    sub.code: sheets.Mark(Decimal(COEFF[(k + j + n) % len(COEFF)]), f"Giudizio {sub.code} di {name}")
                    for n, sub in enumerate(milano.subcriteria)
                }
                sheets.save_draft(s, ids[name], d.id, marks)
                sheets.submit(s, ids[name], d.id)
        ranking_service.approve(s, "provvisoria", CHAIR, "Prima graduatoria", seduta.id)
        seduta.closed_at = utcnow() + timedelta(seconds=1)
    yield db
    db.close()
