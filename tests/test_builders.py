"""The one builder of committee files (tests/builders.py): each state is what its name says, on a real file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import MEMBERS, CommitteeFile, State, committee_file
from valutazione.db import opened
from valutazione.models import Ammissibilita, Domanda, GraduatoriaVersion, Scheda
from valutazione.services import ranking as ranking_service


def counts(path: Path) -> dict[str, int]:
    with opened(path) as db, db.sessions() as s:
        return {
            "domande": s.scalar(select(func.count()).select_from(Domanda)) or 0,
            "decided": s.scalar(select(func.count()).select_from(Ammissibilita)) or 0,
            "drafts": s.scalar(select(func.count()).select_from(Scheda).where(Scheda.submitted_at.is_(None))) or 0,
            "submitted": s.scalar(select(func.count()).select_from(Scheda).where(Scheda.submitted_at.is_not(None)))
            or 0,
            "versions": s.scalar(select(func.count()).select_from(GraduatoriaVersion)) or 0,
        }


@pytest.mark.parametrize("state", list(State))
def test_each_state_has_gone_through_the_earlier_ones_only(tmp_path: Path, state: State) -> None:
    """A file built to a state holds that stage's facts and none of the later stages'."""
    built = committee_file(tmp_path / "commissione.valutazione", state)
    c = counts(built.path)
    assert (c["domande"] > 0) is (state >= State.IMPORTED)
    assert (sorted(built.members) == sorted(n for n, _ in MEMBERS)) is (state >= State.IMPORTED)
    assert (c["decided"] == c["domande"] > 0) is (state >= State.ADMISSIBILITY)
    assert (c["drafts"] > 0) is (state == State.DRAFTS)
    assert (c["submitted"] > 0) is (state >= State.SUBMITTED)
    assert c["versions"] == max(0, state - State.RANKED)


def test_ranked_file_can_become_definitive(build_committee: Callable[..., CommitteeFile]) -> None:
    """From RANKED nothing blocks a final ranking: every tie drawn, every application scored."""
    built = build_committee(State.RANKED)
    with opened(built.path) as db, db.sessions() as s:
        computed = ranking_service.compute(s)
        assert computed.ranking.unresolved_ties == () and computed.undecided == ()
        assert len(computed.ranking.rows) > 0
