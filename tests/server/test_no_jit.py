"""No statement of the application is compiled just in time on the committee server.

The visibility rules' functions are planned for every role at once, so the estimated cost of a branch
never taken (the secretary's) put each statement through them past PostgreSQL's JIT threshold; compiling
then took ~0.4 s a statement for a query of ~30 ms (the chair's home page at 5,000 applications: 0.6–0.8 s
with JIT, 0.2 s without; the ranking 1.5–1.7 s and 0.7–0.8 s).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.server.conftest import Committee
from valutazione.db import opened


@pytest.mark.parametrize("read_only", [False, True], ids=["writing", "read-only"])
def test_the_chairs_sessions_plan_without_jit(committee: Committee, read_only: bool) -> None:
    """As the chair's login: JIT off, and a statement through the policies is not compiled even at no cost."""
    with opened(committee.member_url("Anna Rossi"), read_only=read_only) as db, db.sessions() as s:
        assert s.execute(text("SHOW jit")).scalar() == "off"
        s.execute(text("SET LOCAL jit_above_cost = 0"))  # every plan would be compiled, were JIT on
        plan = s.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM scheda")).scalar()
        assert plan[0]["Plan"]["Actual Rows"] == 1
        assert "JIT" not in plan[0]
