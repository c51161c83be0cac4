"""Abstentions listed for the chair, and withdrawn by the chair with a reason.

Why the chair: a member who declared a conflict by mistake (the wrong line clicked, a relative who turns out
not to be one) can no longer see the application, so cannot undo it alone. Withdrawing removes the
declaration and logs who withdrew it and why, with the original reason in the log's «before»: the member is
asked again, personally, the next time the application is opened. A sheet the member had sent before
abstaining is reopened as a draft at the same time, so that it counts again only once the member has
declared anew and sent it: the chair's withdrawal alone never brings back the marks of a member who said
they were in conflict. After the definitive ranking the scorers are fixed, so the withdrawal is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Commissario, Conflitto, Domanda, Scheda
from valutazione.services import committee, sheets
from valutazione.services.rules import final_version
from valutazione.services.sheets import SUBMITTED


@dataclass(frozen=True)
class AbstentionInfo:
    """One member abstaining on one application, as the chair's list shows it."""

    member_id: int
    member: str
    domanda_id: int
    protocol: str
    reason: str
    declared_at: datetime


def list_abstentions(s: Session) -> list[AbstentionInfo]:
    """Every declared conflict, by application then member."""
    rows = s.execute(
        select(Conflitto, Commissario.name, Domanda.protocol)
        .join(Commissario, Commissario.id == Conflitto.commissario_id)
        .join(Domanda, Domanda.id == Conflitto.domanda_id)
        .where(Conflitto.has_conflict.is_(True))
        .order_by(Domanda.protocol, Commissario.name)
    )
    return [
        AbstentionInfo(c.commissario_id, name, c.domanda_id, protocol, c.reason, c.declared_at)
        for c, name, protocol in rows
    ]


def withdraw_abstention(s: Session, member_id: int, domanda_id: int, reason: str, actor: str) -> AbstentionInfo:
    """Removes the member's conflict declaration on the application; refuses without a reason."""
    row = s.scalars(
        select(Conflitto).where(
            Conflitto.commissario_id == member_id,
            Conflitto.domanda_id == domanda_id,
            Conflitto.has_conflict.is_(True),
        )
    ).first()
    if row is None:
        raise NotFoundError("Nessuna astensione registrata per questo commissario su questa domanda.")
    member, domanda = s.get(Commissario, member_id), s.get(Domanda, domanda_id)
    assert member is not None and domanda is not None  # the foreign keys guarantee both
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"Indicare il motivo del ritiro dell'astensione di {member.name} su {domanda.protocol}.")
    final = final_version(s)
    if final is not None:
        raise RuleViolation(
            f"L'astensione di {member.name} su {domanda.protocol} non si può più ritirare: la graduatoria è "
            f"stata approvata in via definitiva (versione {final})."
        )
    info = AbstentionInfo(member_id, member.name, domanda_id, domanda.protocol, row.reason, row.declared_at)
    s.delete(row)
    s.flush()
    sent = s.scalars(
        select(Scheda.id).where(
            Scheda.commissario_id == member_id, Scheda.domanda_id == domanda_id, Scheda.state == SUBMITTED
        )
    ).first()
    audit.record(
        s,
        actor,
        "conflitto.astensione_ritirata",
        "domanda",
        domanda.protocol,
        {"commissario": member.name, "conflitto": True, "motivo": info.reason},
        {"commissario": member.name, "conflitto": None, "motivo_ritiro": reason},
    )
    if sent is not None:
        chair = committee.chair_or_error(s)
        sheets.reopen(s, member_id, domanda_id, chair.id, f"Astensione ritirata: {reason}")
    return info
