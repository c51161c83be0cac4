"""The applications list as a member sees it: each application with that member's own state on it.

The state is a rule, not a matter of display: an application whose conflict declaration is missing
must be declared before it can be scored, one declared in conflict is abstained on whatever sheet
exists, otherwise the member's sheet says draft or sent. The GUI's table shows these rows as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import Ammissibilita, Conflitto, Domanda, Flag, Scheda, ZonaRow
from valutazione.services import conflicts

# The member's own state on an application, in the order a member works through them.
DA_VALUTARE, BOZZA, INVIATA, ASTENUTO, DA_DICHIARARE = (
    "da_valutare",
    "bozza",
    "inviata",
    "astenuto",
    "da_dichiarare",
)
STATE_ORDER = (DA_DICHIARARE, DA_VALUTARE, BOZZA, INVIATA, ASTENUTO)


@dataclass(frozen=True)
class DomandaRow:
    """One application as the table shows it, with the viewing member's own state."""

    id: int
    protocol: str
    submitted_at: datetime
    applicant: str
    title: str
    zone_number: int | None
    zone_name: str
    grant_cents: int
    outcome: str | None
    flags: tuple[str, ...]
    my_state: str

    @property
    def zone_text(self) -> str:
        return f"{self.zone_number} – {self.zone_name}" if self.zone_number else self.zone_name


def member_state(sheet_state: str | None, declared: bool | None) -> str:
    """A member's state on one application: ``declared`` is None when no conflict declaration exists.

    A declared conflict wins over any sheet (the member abstains); a sheet gives its own state; with
    neither, the member has still to declare (no declaration) or to score (declared, no conflict).
    """
    if declared:
        return ASTENUTO
    if sheet_state is not None:
        return sheet_state
    return DA_VALUTARE if declared is not None else DA_DICHIARARE


def load_domande(session: Session, member_id: int | None, only: Iterable[int] | None = None) -> list[DomandaRow]:
    """Reads the rows inside the caller's session; ``member_id`` None means no personal state (secretary).

    ``only`` restricts to the application ids the member is assigned (from the conflicts service).
    Why plain column queries and not ``select(Domanda)``: at 20,000 applications the ORM objects with
    their flags and zones cost seconds and a few hundred MB; five flat queries (applications with their
    zone, flags, outcomes, the member's sheets and declarations) cost a fraction, and ``only`` is applied
    here rather than as an ``IN`` list, which SQLite caps at 32,766 parameters. The queries go to the
    session's connection: they select columns, not entities, and the ORM's result layer added a third
    to their time (the list is read at every entry, before the first table is painted).
    """
    wanted = None if only is None else set(only)
    session.flush()  # what the session holds unsaved counts, as ``session.execute`` would have flushed it
    connection = session.connection()
    decided = select(Ammissibilita.domanda_id, Ammissibilita.outcome)
    outcomes = {did: outcome for did, outcome in connection.execute(decided)}
    flags: dict[int, list[str]] = {}
    for domanda_id, detail in connection.execute(select(Flag.domanda_id, Flag.detail).order_by(Flag.id)):
        flags.setdefault(domanda_id, []).append(detail)
    sheets: dict[int, str] = {}
    declared: dict[int, bool] = {}
    if member_id is not None:
        mine = Scheda.commissario_id == member_id
        sheets = {did: state for did, state in connection.execute(select(Scheda.domanda_id, Scheda.state).where(mine))}
        query_declared = select(Conflitto.domanda_id, Conflitto.has_conflict).where(
            Conflitto.commissario_id == member_id
        )
        declared = {did: bool(has) for did, has in connection.execute(query_declared)}
    query = (
        select(
            Domanda.id,
            Domanda.protocol,
            Domanda.submitted_at,
            Domanda.applicant,
            Domanda.title,
            ZonaRow.number,
            ZonaRow.name,
            Domanda.zone_text,
            Domanda.grant_cents,
        )
        .outerjoin(ZonaRow, ZonaRow.id == Domanda.zona_id)
        .order_by(Domanda.protocol)
    )
    rows = []
    no_flags: tuple[str, ...] = ()
    for did, protocol, submitted, applicant, title, zone_number, zone_name, zone_text, grant in connection.execute(
        query
    ):
        if wanted is not None and did not in wanted:
            continue
        state = "" if member_id is None else member_state(sheets.get(did), declared.get(did))
        found = flags.get(did)
        rows.append(
            DomandaRow(
                id=did,
                protocol=protocol,
                submitted_at=submitted,
                applicant=applicant,
                title=title,
                zone_number=zone_number,
                zone_name=zone_name if zone_name is not None else zone_text,
                grant_cents=grant,
                outcome=outcomes.get(did),
                flags=tuple(found) if found else no_flags,
                my_state=state,
            )
        )
    return rows


def abstained_ids(s: Session, member_id: int) -> list[int]:
    """The applications on which the member declared a conflict (listed, greyed, never opened)."""
    query = select(Conflitto.domanda_id).where(Conflitto.commissario_id == member_id, Conflitto.has_conflict.is_(True))
    return list(s.scalars(query))


def member_domande(s: Session, member_id: int) -> list[DomandaRow]:
    """A scoring member's list: the applications assigned to them plus those they abstained on."""
    ids = conflicts.assigned_ids(s, member_id) + abstained_ids(s, member_id)
    return load_domande(s, member_id, only=ids)


def has_declared(s: Session, member_id: int, domanda_id: int) -> bool:
    """Whether the member has declared (conflict or not) on the application: scoring needs it first."""
    query = select(Conflitto.id).where(Conflitto.commissario_id == member_id, Conflitto.domanda_id == domanda_id)
    return s.scalars(query).first() is not None
