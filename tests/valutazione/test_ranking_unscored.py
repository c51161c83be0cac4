"""An application nobody has scored yet is neither ranked nor declared below a threshold."""

from __future__ import annotations

from tests.valutazione.ranking_helpers import MILANO, candidate, uniform_marks
from valutazione.ranking import build_ranking
from valutazione.ranking.status import RankingStatus


def test_unscored_application_is_pending_not_failed() -> None:
    """Zero submitted sheets → «non ancora valutata», no position, no grant, and the ranking cannot be final."""
    scored_high = candidate("PG 1", uniform_marks(MILANO, "0.9"))
    scored_low = candidate("PG 2", uniform_marks(MILANO, "0.3"))
    nobody = candidate("PG 3", {}, expected_scorers=3)
    g = build_ranking(MILANO, [nobody, scored_low, scored_high])
    status = {r.protocol: r.status for r in g.rows}
    assert status["PG 3"] == RankingStatus.NOT_SCORED and status["PG 2"] == RankingStatus.NOT_ADMITTED
    pending = g.row("PG 3")
    assert pending.position is None and pending.grant_cents == 0
    assert not g.can_be_final and any("PG 3" in reason for reason in g.reasons)
    assert [r.protocol for r in g.rows] == ["PG 1", "PG 2", "PG 3"]
