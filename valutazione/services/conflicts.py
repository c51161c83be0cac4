"""Conflicts of interest, per application and member: a member in conflict abstains.

Abstention means the application is never shown to that member, their sheet (if any) never reaches
the average, and the number of scorers drops, which the ranking checks against the quorum.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import Ammissibilita, Commissario, Conflitto, Domanda, utcnow
from valutazione.ranking.status import AdmissibilityOutcome
from valutazione.services import lookup
from valutazione.services.committee import SCORING_ROLES, require_declared

EXCLUDED_OUTCOMES = tuple(o for o in AdmissibilityOutcome if o.excludes)


def declare(s: Session, member_id: int, domanda_id: int, has_conflict: bool, reason: str = "") -> Conflitto:
    """Records (or corrects, audited) a member's declaration on one application.

    A conflict needs its reason (relatives, roles in the applicant body, lawsuits...), because the
    abstention is written in the minutes.
    """
    m = require_declared(s, member_id)
    d = lookup.domanda(s, domanda_id)
    row = s.scalars(
        select(Conflitto).where(Conflitto.commissario_id == member_id, Conflitto.domanda_id == domanda_id)
    ).first()
    return write_declaration(s, m, d, row, has_conflict, reason, utcnow())


def write_declaration(
    s: Session,
    m: Commissario,
    d: Domanda,
    row: Conflitto | None,
    has_conflict: bool,
    reason: str,
    declared_at: datetime,
    *,
    flush: bool = True,
) -> Conflitto:
    """Writes the declaration (new, or ``row`` corrected) and its audit row; the caller has checked the member.

    Shared by ``declare`` and the merge of offline returns, which preloads the rows and flushes once
    for thousands of declarations, and keeps the time the member declared on their laptop.
    """
    previous = None if row is None else (row.has_conflict, row.reason)
    reason, entry = declaration_entry(m.name, d.protocol, has_conflict, reason, previous)
    if row is None:
        row = Conflitto(
            commissario_id=m.id, domanda_id=d.id, has_conflict=has_conflict, reason=reason, declared_at=declared_at
        )
        s.add(row)
    else:
        row.has_conflict, row.reason, row.declared_at = has_conflict, reason, declared_at
    if flush:
        s.flush()
    audit.record(s, *entry, flush=flush)
    return row


def declaration_entry(
    member: str, protocol: str, has_conflict: bool, reason: str, previous: tuple[bool, str] | None
) -> tuple[str, audit.Entry]:
    """The reason as stored and the log row of a declaration (``previous``: the one it corrects).

    One definition for ``write_declaration`` and the merge of returns, which writes thousands in one go.
    A recorded conflict is never turned into «no conflict» here: the member who declared it no longer
    sees the application, and lifting it would let their marks count again; only the chair withdraws an
    abstention, with a reason (``abstentions.withdraw_abstention``), and only before the final ranking.
    """
    if previous is not None and previous[0] and not has_conflict:
        raise RuleViolation(
            f"{member} ha dichiarato un conflitto di interessi sulla domanda {protocol} e si astiene: "
            "l'astensione può essere ritirata solo dal presidente, con un motivo (Commissione → «Ritira "
            "astensione…», comando «astensione ritira»)."
        )
    reason = reason.strip()
    if has_conflict and not reason:
        raise RuleViolation(f"Indicare il motivo del conflitto di interessi di {member} sulla domanda {protocol}.")
    before = None if previous is None else {"conflitto": previous[0], "motivo": previous[1]}
    action = "conflitto.dichiarato" if has_conflict else "conflitto.assente"
    after = {"commissario": member, "conflitto": has_conflict, "motivo": reason}
    return reason, (member, action, "domanda", protocol, before, after)


def in_conflict(s: Session, member_id: int, domanda_id: int) -> bool:
    row = s.scalars(
        select(Conflitto).where(Conflitto.commissario_id == member_id, Conflitto.domanda_id == domanda_id)
    ).first()
    return bool(row and row.has_conflict)


def conflicted_members(s: Session, domanda_id: int) -> set[int]:
    """Ids of the members who abstain on the application."""
    return set(
        s.scalars(
            select(Conflitto.commissario_id).where(Conflitto.domanda_id == domanda_id, Conflitto.has_conflict.is_(True))
        )
    )


def all_conflicts(s: Session) -> set[tuple[int, int]]:
    """Every (member id, application id) in conflict, in one query for the ranking."""
    rows = s.execute(select(Conflitto.commissario_id, Conflitto.domanda_id).where(Conflitto.has_conflict.is_(True)))
    return {(m, d) for m, d in rows}


def require_not_in_conflict(s: Session, member_id: int, domanda_id: int) -> None:
    if in_conflict(s, member_id, domanda_id):
        m, d = lookup.member(s, member_id), lookup.domanda(s, domanda_id)
        raise RuleViolation(
            f"{m.name} ha dichiarato un conflitto di interessi sulla domanda {d.protocol} "
            "e si astiene: non può vederla né valutarla."
        )


def _assigned(s: Session, member_id: int, what: Any) -> Select[Any] | None:
    """The query of a member's assigned applications selecting ``what``; None for the secretary."""
    m = require_declared(s, member_id)
    if m.role not in SCORING_ROLES:
        return None
    excluded = select(Ammissibilita.domanda_id).where(Ammissibilita.outcome.in_(EXCLUDED_OUTCOMES))
    conflicted = select(Conflitto.domanda_id).where(
        Conflitto.commissario_id == member_id, Conflitto.has_conflict.is_(True)
    )
    return (
        select(what)
        .where(Domanda.id.not_in(excluded), Domanda.id.not_in(conflicted))
        .order_by(Domanda.submitted_at, Domanda.protocol)
    )


def assigned_domande(s: Session, member_id: int) -> list[Domanda]:
    """The applications a member scores: admissible or not yet decided, and not in conflict.

    The secretary scores nothing, so gets none. Refused before the general declaration.
    """
    query = _assigned(s, member_id, Domanda)
    return [] if query is None else list(s.scalars(query))


def assigned_ids(s: Session, member_id: int) -> list[int]:
    """The ids of ``assigned_domande``, in the same order, without loading the applications: the list
    the window shows at every entry needs only these (5,000 ORM objects cost a tenth of a second)."""
    query = _assigned(s, member_id, Domanda.id)
    return [] if query is None else list(s.scalars(query))
