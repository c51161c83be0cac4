"""The demo file: the sample procedure done through the services, up to an approved provisional ranking."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from valutazione import audit
from valutazione.db import opened
from valutazione.demo import build_demo
from valutazione.errors import DatabaseError
from valutazione.models import Ammissibilita, Domanda, GraduatoriaVersion, Scheda, Seduta, Soccorso
from valutazione.reports.verbale_data import collect_verbale
from valutazione.services import admissibility, committee, ranking


def test_demo_is_ready_and_consistent(tmp_path: Path) -> None:
    """Members declared, flagged rows decided with reasons, every sheet submitted, ranking approved in session 1."""
    path = build_demo(tmp_path / "demo.valutazione")
    with opened(path, read_only=True) as db, db.sessions() as s:
        assert [(m.name, m.role, m.declared_at is not None) for m in committee.list_members(s)] == [
            ("Laura Fumagalli", "presidente", True),
            ("Nadia Cattaneo", "componente", True),
            ("Stefano Brambilla", "componente", True),
            ("Giorgio Sala", "segretario", True),
        ]
        assert admissibility.undecided(s) == []
        outcomes = dict(s.execute(select(Domanda.protocol, Ammissibilita.outcome).join(Ammissibilita)).all())
        assert sorted(p for p, o in outcomes.items() if o != "ammissibile") == [
            "PG 104/2018",
            "PG 108/2018",
            "PG 112/2018",
            "PG 116/2018",
            "PG 120/2018",
            "PG 128/2018",
        ]
        rescue = s.scalars(select(Soccorso)).one()
        assert (rescue.outcome, (rescue.deadline - rescue.requested_on).days) == ("non_integrata", 10)
        assert s.scalar(select(func.count()).select_from(Scheda).where(Scheda.state == "bozza")) == 0
        assert s.scalar(select(func.count()).select_from(Scheda)) == 32 * 3
        version = s.scalars(select(GraduatoriaVersion)).one()
        seduta = s.scalars(select(Seduta)).one()
        assert (version.state, version.seduta_id, seduta.number) == ("provvisoria", seduta.id, 1)
        assert all(p.present for p in seduta.presenze) and len(seduta.presenze) == 4
        assert ranking.reproduce(s, 1).ok
        assert ranking.compute(s).can_be_final
        assert audit.verify_chain(s).ok


def test_demo_minutes_report_the_committees_work(tmp_path: Path) -> None:
    """The demo's session is held as the demo is built, so its minutes report what its agenda lists: the
    members' declarations, every admissibility decision and the rescue, the sheets sent, the approval."""
    path = build_demo(tmp_path / "demo.valutazione")
    with opened(path, read_only=True) as db, db.sessions() as s:
        minutes = collect_verbale(s, 1)
    declared = [item for section in minutes.declarations for item in section.items]
    decided = {section.title: section.items for section in minutes.decisions}
    assert len(declared) == 4
    assert sum("PG 1" in item for item in decided["Ammissibilità formale"]) == 38
    assert len(decided["Soccorso istruttorio"]) == 2
    assert len(decided["Valutazione di merito: schede inviate"]) == 3
    assert [item.startswith("Approvata la graduatoria provvisoria") for item in decided["Graduatoria"]] == [True]
    assert minutes.day == minutes.window[0].astimezone(ZoneInfo(minutes.bando.timezone)).date()


def test_demo_refuses_existing_file(tmp_path: Path) -> None:
    """The demo never overwrites a file (a committee's real work could be there)."""
    target = tmp_path / "x.valutazione"
    target.write_bytes(b"lavoro vero")
    with pytest.raises(DatabaseError, match="esiste già"):
        build_demo(target)
    assert target.read_bytes() == b"lavoro vero"
