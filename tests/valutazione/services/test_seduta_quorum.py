"""A ranking is approved in a session only when the voting members present reach the call's quorum."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import State, committee_file
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.models import GraduatoriaVersion
from valutazione.services import ranking, sedute
from valutazione.services.seduta_correction import SedutaChange, correct_seduta


def test_ranking_not_approved_in_a_session_below_quorum(tmp_path: Path) -> None:
    """Quorum: two voting members and the secretary present (quorum 3) cannot approve a ranking; once the
    attendance is corrected with a reason, the same approval goes through."""
    cf = committee_file(tmp_path / "c.valutazione", State.RANKED)
    chair, bruno, carla, secretary = (
        cf.members[n] for n in ("Anna Rossi", "Bruno Bianchi", "Carla Verdi", "Dario Neri")
    )
    with opened(cf.path) as db:
        with db.sessions.begin() as s:
            seduta = sedute.record_seduta(
                s, date(2018, 4, 16), "09:30", "12:00", "Sala A", "Graduatoria", [chair, bruno, secretary], "Dario Neri"
            )
        for state in (ranking.PROVISIONAL, ranking.FINAL):
            with pytest.raises(RuleViolation, match="2 commissari con diritto di voto, meno del quorum di 3"):
                with db.sessions.begin() as s:
                    ranking.approve(s, state, "Anna Rossi", "In seduta", seduta.id)
        with db.sessions() as s:
            assert s.scalar(select(func.count()).select_from(GraduatoriaVersion)) == 0
        with db.sessions.begin() as s:
            everyone = frozenset({chair, bruno, carla, secretary})
            correct_seduta(s, seduta.id, SedutaChange(present=everyone), "Presenza omessa", "Dario Neri")
            assert ranking.approve(s, ranking.PROVISIONAL, "Anna Rossi", "In seduta", seduta.id).seduta_id == seduta.id
