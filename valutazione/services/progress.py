"""The committee's progress: for each application still in the running, each scoring member's state.

A member in conflict abstains whatever sheet exists; otherwise the sheet says draft or sent, and no
sheet is missing. Excluded applications are left out: nobody scores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import Ammissibilita, Domanda
from valutazione.ranking.warnings import MISSING as MISSING_WARNING
from valutazione.ranking.warnings import QUORUM as QUORUM_WARNING
from valutazione.server.progress import scores_hidden, sheet_states, state_warnings
from valutazione.services import committee, lookup
from valutazione.services import ranking as ranking_service
from valutazione.services.conflicts import EXCLUDED_OUTCOMES, all_conflicts

SENT, DRAFT, MISSING, ABSTAINED = "inviata", "bozza", "mancante", "astenuto"


@dataclass(frozen=True)
class Board:
    members: tuple[tuple[int, str], ...]
    domande: tuple[tuple[int, str, str], ...]  # id, protocol, applicant
    states: dict[tuple[int, int], str]  # (domanda_id, member_id) → state
    warnings: tuple[dict[str, Any], ...]

    def absent(self) -> dict[str, tuple[str, ...]]:
        """For each application, the members whose sheet is not sent (draft or missing; abstentions aside)."""
        names = dict(self.members)
        return {
            protocol: tuple(names[mid] for mid, _ in self.members if self.states[(did, mid)] in (DRAFT, MISSING))
            for did, protocol, _ in self.domande
        }


def load_board(s: Session) -> Board:
    """Applications × scoring members with each state, and the ranking's warnings (quorum, gaps)."""
    members = tuple((m.id, m.name) for m in committee.scoring_members(s))
    excluded = set(s.scalars(select(Ammissibilita.domanda_id).where(Ammissibilita.outcome.in_(EXCLUDED_OUTCOMES))))
    domande = tuple(
        (d.id, d.protocol, d.applicant)
        for d in s.scalars(select(Domanda).order_by(Domanda.protocol))
        if d.id not in excluded
    )
    conflicts = all_conflicts(s)
    sheet_state = sheet_states(s)  # on a server, every state even where the scores stay hidden
    states = {}
    for did, _, _ in domande:
        for mid, _ in members:
            if (mid, did) in conflicts:
                states[(did, mid)] = ABSTAINED
            else:
                states[(did, mid)] = sheet_state.get((did, mid), MISSING)
    warnings = ranking_service.compute(s).warnings
    if scores_hidden(s):  # the secretary on a server: the incomplete applications' warnings from their states
        warnings = _secretary_warnings(s, domande, members, states, warnings)
    return Board(members, domande, states, tuple(warnings))


def _secretary_warnings(
    s: Session,
    domande: tuple[tuple[int, str, str], ...],
    members: tuple[tuple[int, str], ...],
    states: dict[tuple[int, int], str],
    warnings: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The engine's warnings where every sheet is in (the secretary reads those scores), the states' where not."""
    bando = lookup.rules(s)
    out = []
    incomplete = set()
    for did, protocol, _ in domande:
        mine = [states[(did, mid)] for mid, _ in members if states[(did, mid)] != ABSTAINED]
        sent = mine.count(SENT)
        if sent < len(mine):
            incomplete.add(protocol)
            out += state_warnings(bando, protocol, sent, len(mine))
    scored_kinds = (MISSING_WARNING, QUORUM_WARNING)
    kept = [w for w in warnings if w["protocol"] not in incomplete or w["kind"] not in scored_kinds]
    return kept + out
