"""Formal admissibility: the committee's outcome per application, always with its reason.

The importer only *flags* a readable row that breaks a rule; the decision stays with the committee,
here, and the flags are its checklist. Missing administrative documents may be requested through
*soccorso istruttorio*; while a request is open the application cannot be decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import Ammissibilita, Domanda, Flag, Soccorso, utcnow
from valutazione.ranking.status import AdmissibilityOutcome
from valutazione.services import lookup
from valutazione.services.rules import lock_rules

AMMISSIBILE = AdmissibilityOutcome.ADMISSIBLE
ESCLUSA = AdmissibilityOutcome.EXCLUDED
NON_RICEVIBILE = AdmissibilityOutcome.NOT_RECEIVABLE
OUTCOMES = tuple(AdmissibilityOutcome)
PENDING = "in_attesa"
RESCUE_OUTCOMES = ("integrata", "non_integrata")


@dataclass(frozen=True)
class Checklist:
    """What the committee looks at for one application: the import's flags and the decision so far."""

    domanda_id: int
    protocol: str
    applicant: str
    flags: tuple[tuple[str, str], ...]
    outcome: str | None
    reason: str
    rescue_pending: bool
    lot: str | None = None  # the lot it competes in (a call divided into lots); None: not set or no lots


def decide(s: Session, domanda_id: int, outcome: str, reason: str, actor: str) -> Ammissibilita:
    """Records or changes (audited, before and after) the outcome; the reason is mandatory."""
    d = lookup.domanda(s, domanda_id)
    if outcome not in OUTCOMES:
        raise RuleViolation(f"Esito «{outcome}» non previsto: esiti possibili {', '.join(OUTCOMES)}.")
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"Indicare il motivo dell'esito per la domanda {d.protocol}: è obbligatorio.")
    if pending_rescue(s, domanda_id) is not None:
        raise RuleViolation(
            f"La domanda {d.protocol} ha un soccorso istruttorio in attesa: chiuderlo prima di "
            "decidere l'ammissibilità."
        )
    lock_rules(s, actor)
    row = decision(s, domanda_id)
    before = None if row is None else {"esito": row.outcome, "motivo": row.reason}
    if row is None:
        row = Ammissibilita(
            domanda_id=domanda_id, outcome=outcome, reason=reason, decided_at=utcnow(), decided_by=actor
        )
        s.add(row)
    else:
        row.outcome, row.reason, row.decided_at, row.decided_by = outcome, reason, utcnow(), actor
    s.flush()
    audit.record(s, actor, "ammissibilita.decisa", "domanda", d.protocol, before, {"esito": outcome, "motivo": reason})
    return row


def decision(s: Session, domanda_id: int) -> Ammissibilita | None:
    return s.scalars(select(Ammissibilita).where(Ammissibilita.domanda_id == domanda_id)).first()


def undecided(s: Session) -> list[Domanda]:
    decided = select(Ammissibilita.domanda_id)
    return list(s.scalars(select(Domanda).where(Domanda.id.not_in(decided)).order_by(Domanda.protocol)))


def checklist(s: Session) -> list[Checklist]:
    """Every application with its flags and current outcome, flagged ones first."""
    decisions = {a.domanda_id: a for a in s.scalars(select(Ammissibilita))}
    pending = set(s.scalars(select(Soccorso.domanda_id).where(Soccorso.outcome == PENDING)))
    items = []
    for d in s.scalars(select(Domanda).order_by(Domanda.protocol)):
        a = decisions.get(d.id)
        flags = tuple(sorted((f.rule, f.detail) for f in d.flags))
        items.append(
            Checklist(
                d.id,
                d.protocol,
                d.applicant,
                flags,
                a.outcome if a else None,
                a.reason if a else "",
                d.id in pending,
                d.lot_code,
            )
        )
    return sorted(items, key=lambda c: (not c.flags, c.protocol))


def mark_all_admissible(s: Session, actor: str, reason: str) -> list[str]:
    """Declares admissible every undecided application with no flag and no open rescue request.

    Flagged applications are left for an individual decision: a rule the importer saw broken needs
    the committee's own reason, not a blanket one. Returns the protocols decided.
    """
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Indicare il motivo dell'ammissibilità: è obbligatorio.")
    pending = set(s.scalars(select(Soccorso.domanda_id).where(Soccorso.outcome == PENDING)))
    decided = []
    for d in undecided(s):
        if d.flags or d.id in pending:
            continue
        decide(s, d.id, AMMISSIBILE, reason, actor)
        decided.append(d.protocol)
    return decided


def request_rescue(
    s: Session, domanda_id: int, documents: str, actor: str, requested_on: date, deadline: date | None = None
) -> Soccorso:
    """Opens a *soccorso istruttorio*; the deadline defaults to the call's days (10) after the request.

    Only administrative documents may be requested: the merit content of a proposal cannot be
    completed this way, which is why ``documents`` must say what is asked.
    """
    d = lookup.domanda(s, domanda_id)
    documents = documents.strip()
    if not documents:
        raise RuleViolation(f"Indicare i documenti amministrativi richiesti alla domanda {d.protocol}.")
    if pending_rescue(s, domanda_id) is not None:
        raise RuleViolation(f"La domanda {d.protocol} ha già un soccorso istruttorio in attesa.")
    if deadline is None:
        deadline = requested_on + timedelta(days=lookup.rules(s).rescue_days)
    if deadline < requested_on:
        raise RuleViolation("La scadenza del soccorso istruttorio non può precedere la data della richiesta.")
    row = Soccorso(domanda_id=domanda_id, requested_on=requested_on, deadline=deadline, documents=documents)
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor,
        "soccorso.richiesto",
        "domanda",
        d.protocol,
        None,
        {"richiesta": requested_on, "scadenza": deadline, "documenti": documents},
    )
    return row


def close_rescue(s: Session, soccorso_id: int, outcome: str, closed_on: date, actor: str, note: str = "") -> Soccorso:
    """Closes a request as *integrata* or *non integrata*; the admissibility is decided after."""
    row = s.get(Soccorso, soccorso_id)
    if row is None:
        raise RuleViolation(f"Nessun soccorso istruttorio con identificativo {soccorso_id}.")
    if outcome not in RESCUE_OUTCOMES:
        raise RuleViolation(f"Esito «{outcome}» non previsto: esiti possibili {', '.join(RESCUE_OUTCOMES)}.")
    if row.outcome != PENDING:
        raise RuleViolation("Il soccorso istruttorio è già chiuso.")
    if closed_on < row.requested_on:
        raise RuleViolation("La data di chiusura non può precedere la richiesta.")
    row.outcome, row.closed_on, row.note = outcome, closed_on, note.strip()
    s.flush()
    audit.record(
        s,
        actor,
        "soccorso.chiuso",
        "domanda",
        lookup.domanda(s, row.domanda_id).protocol,
        {"esito": PENDING},
        {"esito": outcome, "chiuso": closed_on, "nota": row.note},
    )
    return row


def pending_rescue(s: Session, domanda_id: int) -> Soccorso | None:
    return s.scalars(select(Soccorso).where(Soccorso.domanda_id == domanda_id, Soccorso.outcome == PENDING)).first()


def overdue_rescues(s: Session, as_of: date) -> list[Soccorso]:
    """Open requests whose deadline has passed on ``as_of`` (the deadline day itself is still in time)."""
    query = select(Soccorso).where(Soccorso.outcome == PENDING, Soccorso.deadline < as_of).order_by(Soccorso.deadline)
    return list(s.scalars(query))


@dataclass(frozen=True)
class RescueInfo:
    """An open *soccorso istruttorio* request as the admissibility screen lists it."""

    id: int
    domanda_id: int
    protocol: str
    requested_on: date
    deadline: date
    documents: str


def pending_rescues(s: Session) -> dict[int, RescueInfo]:
    """Every open request, by application id (an application has at most one open at a time)."""
    query = (
        select(Soccorso, Domanda.protocol)
        .join(Domanda, Domanda.id == Soccorso.domanda_id)
        .where(Soccorso.outcome == PENDING)
        .order_by(Soccorso.id)
    )
    return {
        r.domanda_id: RescueInfo(r.id, r.domanda_id, protocol, r.requested_on, r.deadline, r.documents)
        for r, protocol in s.execute(query)
    }


def flags_of(s: Session, domanda_id: int) -> list[Flag]:
    return list(s.scalars(select(Flag).where(Flag.domanda_id == domanda_id).order_by(Flag.rule)))


@dataclass(frozen=True)
class ClosedRescue:
    """A *soccorso istruttorio* already answered (or not): kept on screen after closing, as in the file."""

    domanda_id: int
    requested_on: date
    deadline: date
    documents: str
    outcome: str
    closed_on: date | None


def closed_rescues(s: Session) -> dict[int, list[ClosedRescue]]:
    """Every closed request, by application id, oldest first: the history the chair must still see."""
    found: dict[int, list[ClosedRescue]] = {}
    query = select(Soccorso).where(Soccorso.outcome != PENDING).order_by(Soccorso.requested_on, Soccorso.id)
    for r in s.scalars(query):
        found.setdefault(r.domanda_id, []).append(
            ClosedRescue(r.domanda_id, r.requested_on, r.deadline, r.documents, r.outcome, r.closed_on)
        )
    return found
