"""The log rows the seals need, collected while the chain check reads the log anyway: one pass over it.

The sheets' check needs every send and reopening (with the hash each send carried), the rows' check every
``sigillo``: reading them again after the chain meant reading the 65 MB of a 5,000-application file's log
twice. The chain check hands them over as it goes (``audit.ChainVisitor``); they are used only if it read
and chained every row here (``complete``). On a committee server, where the server checks the chain,
or when the chain is broken, each check reads what it needs from the log itself, as before.
"""

from __future__ import annotations

from datetime import datetime

from valutazione.seals.rows import SEAL_ACTION, Seal, seal_row
from valutazione.seals.sheets import REOPENED, SENT, Events, sheet_event


class LogScan:
    """A ``ChainVisitor`` keeping the sheets' events and the rows' latest seals."""

    actions = frozenset({SENT, REOPENED, SEAL_ACTION})

    def __init__(self) -> None:
        self.events: Events = {}
        self.logged_by_hash: dict[str, int] = {}
        self.seals: dict[tuple[str, int], Seal] = {}
        self.complete = False

    def row(self, row_id: int, at: datetime, action: str, entity: str, entity_id: str, after: str) -> None:
        if action == SEAL_ACTION:
            seal_row(self.seals, row_id, entity, entity_id, after)
        elif entity == "scheda":
            sheet_event(self.events, self.logged_by_hash, row_id, action, entity_id, after, at)

    def finished(self) -> None:
        self.complete = True
