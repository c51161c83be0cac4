"""What the progress board may read on a server: every sheet's state, past the sheets' row policies.

On a server the secretary sees another member's submitted sheet only once every expected sheet of its
application is in (the application's rule for the scores, and the row comes with its scores because the
seals compare the two). The progress board needs less and more: the state of every sheet, no score. The
server gives exactly that to the chair and the secretary through ``valutazione_stati_schede()``
(valutazione/server/sql.py); on a file, or connected as the committee's owner, the table is read as is.

The ranking's warnings come from the scores: where the secretary may not read them yet (an application
whose sheets are not all in), the two warnings that need only the states, a missing sheet and the quorum,
are said from the states (``state_warnings``) with the engine's own words, instead of the engine's
«3 of 3 missing» read from scores it was not shown.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from valutazione.bando import Bando
from valutazione.models import Scheda
from valutazione.plural import count
from valutazione.ranking.records import RankingWarning
from valutazione.ranking.stored import warning_json
from valutazione.ranking.warnings import MISSING, QUORUM

BOARD_ROLES = ("presidente", "segretario")


def scores_hidden(s: Session) -> bool:
    """True for the secretary's login role on a server: other members' scores stay hidden until all are in."""
    return _through_server_function(s) and s.execute(text("SELECT valutazione_ruolo()")).scalar() == "segretario"


def _through_server_function(s: Session) -> bool:
    """True when connected as a chair's or secretary's login role to a server whose rules are installed."""
    if s.get_bind().dialect.name != "postgresql":
        return False
    installed = s.execute(text("SELECT to_regproc('valutazione_stati_schede') IS NOT NULL")).scalar()
    return bool(installed) and s.execute(text("SELECT valutazione_ruolo()")).scalar() in BOARD_ROLES


def sheet_states(s: Session) -> dict[tuple[int, int], str]:
    """(application id, member id) → the state of that member's sheet, for every sheet the board shows."""
    if _through_server_function(s):
        rows = s.execute(text("SELECT d, m, stato FROM valutazione_stati_schede()"))
    else:
        rows = s.execute(select(Scheda.domanda_id, Scheda.commissario_id, Scheda.state))
    return {(d, m): str(state) for d, m, state in rows}


def state_warnings(bando: Bando, protocol: str, sent: int, expected: int) -> list[dict[str, object]]:
    """The missing-sheet and quorum warnings of one application from its count of sent sheets (the
    texts of valutazione/ranking/warnings.py, which says them from the scores)."""
    found = []
    if sent < expected:
        text_ = f"manca la scheda di {count(expected - sent, 'commissari')} su {expected}"
        found.append(RankingWarning(MISSING, protocol, None, None, f"Domanda {protocol}: {text_}"))
    if sent < bando.quorum:
        text_ = f"valutata da {count(sent, 'commissari')}, meno del quorum di {bando.quorum}"
        found.append(RankingWarning(QUORUM, protocol, None, None, f"Domanda {protocol}: {text_}"))
    return [warning_json(w) for w in found]
