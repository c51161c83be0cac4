"""The secretary's progress board on the server: every member's state on every application, as the chair's.

The secretary may read other members' scores only once every sheet of the application is in (the
application's rule, enforced by the server's policies): the board's states and the missing-sheet and
quorum warnings are the chair's; the warnings drawn from scores (spread, identical sheets, a missing
mark) show only on the applications whose sheets are all in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.server.conftest import Committee
from valutazione.db import opened
from valutazione.services.progress import ABSTAINED, SENT, Board, load_board


def _complete(board: Board) -> set[str]:
    """The protocols whose every expected sheet is sent."""
    return {
        protocol
        for did, protocol, _ in board.domande
        if all(board.states[(did, mid)] in (SENT, ABSTAINED) for mid, _ in board.members)
    }


def _key(w: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(w[k]) for k in ("protocol", "kind", "sub_code", "member", "message"))


def test_secretary_sees_the_whole_progress_board(fresh_committee: Callable[[], Committee]) -> None:
    """Progress board: as the secretary's own role, the chair's states and warnings, hidden scores aside."""
    c = fresh_committee()
    with opened(c.member_url("Anna Rossi"), read_only=True) as db, db.sessions() as s:
        chair = load_board(s)
    with opened(c.member_url("Dario Neri"), read_only=True) as db, db.sessions() as s:
        board = load_board(s)
    assert board.members == chair.members
    assert board.domande[0] == chair.domande[0] and len(board.domande) >= len(chair.domande)
    shared = {d for d, _, _ in chair.domande}  # the chair does not see the application in conflict
    assert {k: v for k, v in board.states.items() if k[0] in shared} == chair.states
    assert SENT in board.states.values()
    complete = _complete(chair)
    assert complete and complete != {p for _, p, _ in chair.domande}  # both kinds are in the committee
    by_states = ("scheda_mancante", "quorum")
    expected = [
        w for w in chair.warnings if w["protocol"] in complete or (w["kind"] in by_states and w["sub_code"] is None)
    ]
    expected_keys = sorted(map(_key, expected))
    assert sorted(_key(w) for w in board.warnings if w["protocol"] in {p for _, p, _ in chair.domande}) == expected_keys
