"""Grant agreements (*convenzioni*): what makes a grant legally binding, and how it ends early.

An agreement can only bind money the latest final ranking granted: the amount is the grant or less, and
less only with the reason of the re-determination, because the difference goes back to the budget and the
city must be able to say why. A revocation or renunciation after signing frees what has not been paid and
records the renunciation in the ranking, so that the usual sliding (*scorrimento*) can follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import GraduatoriaVersion, Rinuncia
from valutazione.money import format_euro
from valutazione.projects.dates import not_in_the_future
from valutazione.projects.grants import final_grants
from valutazione.projects.states import ACTIVE, RENOUNCED, REVOKED
from valutazione.projects.tables import Convenzione
from valutazione.services import lookup

CUP_PATTERN = re.compile(r"[A-Z0-9]{15}")
CLOSING_STATES = {REVOKED: "revoca", RENOUNCED: "rinuncia"}


@dataclass(frozen=True)
class AgreementInfo:
    """An agreement as the screens and reports show it."""

    protocol: str
    signed_on: date
    amount_cents: int
    grant_cents: int
    reason: str
    start_on: date
    end_on: date
    cup: str
    act: str
    state: str
    closed_on: date | None
    closed_reason: str


def _info(protocol: str, c: Convenzione, grant_cents: int) -> AgreementInfo:
    return AgreementInfo(
        protocol,
        c.signed_on,
        c.amount_cents,
        grant_cents,
        c.reason,
        c.start_on,
        c.end_on,
        c.cup,
        c.act,
        c.state,
        c.closed_on,
        c.closed_reason,
    )


def _snapshot(c: Convenzione) -> dict[str, object]:
    return {
        "data": c.signed_on,
        "importo_centesimi": c.amount_cents,
        "motivo": c.reason,
        "inizio": c.start_on,
        "fine": c.end_on,
        "cup": c.cup,
        "atto": c.act,
        "stato": c.state,
        "chiusa_il": c.closed_on,
        "motivo_chiusura": c.closed_reason,
    }


def agreement_row(s: Session, domanda_id: int, *, lock: bool = False) -> Convenzione | None:
    """The application's agreement; ``lock`` for a write that checks the money already paid or planned.

    On the server two users may write at once, and each check (erogato within vincolante, a row reversed
    once, hours within the plan) reads what the other has not committed yet: two advances of 60 % were both
    recorded. Locking the agreement's row makes the writes about one project run one after the other
    (the second reads the first's rows once it may go on); SQLite has one writer and ignores the clause.
    """
    query = select(Convenzione).where(Convenzione.domanda_id == domanda_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return s.scalars(query).first()


def require_agreement(s: Session, protocol: str, *, lock: bool = False) -> Convenzione:
    """The application's agreement, or a message saying one must be signed first."""
    d = lookup.domanda_by_protocol(s, protocol)
    row = agreement_row(s, d.id, lock=lock)
    if row is None:
        raise RuleViolation(f"La domanda {d.protocol} non ha ancora una convenzione: registrarla prima.")
    return row


def get(s: Session, protocol: str) -> AgreementInfo | None:
    d = lookup.domanda_by_protocol(s, protocol)
    row = agreement_row(s, d.id)
    return None if row is None else _info(d.protocol, row, final_grants(s)[1].get(d.protocol, 0))


def sign(
    s: Session,
    actor: str,
    protocol: str,
    *,
    signed_on: date,
    amount_cents: int,
    start_on: date,
    end_on: date,
    cup: str = "",
    act: str = "",
    reason: str = "",
) -> AgreementInfo:
    """Records the signed agreement; refuses any that would bind more than the final ranking granted."""
    d = lookup.domanda_by_protocol(s, protocol)
    version, grants = final_grants(s)
    grant = grants.get(d.protocol, 0)
    if version is None:
        raise RuleViolation("Nessuna graduatoria definitiva approvata: una convenzione presuppone il finanziamento.")
    if grant == 0:
        raise RuleViolation(
            f"La domanda {d.protocol} non è finanziata nella graduatoria definitiva (versione {version}): "
            "nessuna convenzione possibile."
        )
    if agreement_row(s, d.id) is not None:
        raise RuleViolation(f"La convenzione della domanda {d.protocol} è già registrata.")
    if s.scalars(select(Rinuncia.id).where(Rinuncia.domanda_id == d.id)).first() is not None:
        raise RuleViolation(
            f"Per la domanda {d.protocol} è registrata una rinuncia o revoca: nessuna convenzione possibile."
        )
    if amount_cents <= 0:
        raise RuleViolation("L'importo della convenzione deve essere maggiore di zero.")
    if amount_cents > grant:
        raise RuleViolation(
            f"L'importo della convenzione ({format_euro(amount_cents)}) supera il contributo concesso a "
            f"{d.protocol} nella graduatoria definitiva ({format_euro(grant)})."
        )
    reason = reason.strip()
    if amount_cents < grant and not reason:
        raise RuleViolation(
            f"L'importo è inferiore al contributo concesso ({format_euro(grant)}): indicare il motivo della "
            "rideterminazione."
        )
    if start_on > end_on:
        raise RuleViolation("La data di inizio del progetto è successiva alla data di fine.")
    not_in_the_future(signed_on, "La firma della convenzione")
    cup = cup.strip().upper()
    if cup and not CUP_PATTERN.fullmatch(cup):
        raise RuleViolation(f"Il CUP «{cup}» non è valido: sono 15 caratteri, lettere maiuscole e cifre.")
    row = Convenzione(
        domanda_id=d.id,
        signed_on=signed_on,
        amount_cents=amount_cents,
        reason=reason,
        start_on=start_on,
        end_on=end_on,
        cup=cup,
        act=act.strip(),
        state=ACTIVE,
        closed_on=None,
        closed_reason="",
    )
    s.add(row)
    s.flush()
    audit.record(s, actor, "convenzione.firmata", "domanda", d.protocol, None, _snapshot(row))
    return _info(d.protocol, row, grant)


def redetermine(s: Session, actor: str, protocol: str, amount_cents: int, reason: str) -> AgreementInfo:
    """Lowers the binding amount (never below what was paid), with the reason."""
    from valutazione.projects import payments

    row = require_agreement(s, protocol, lock=True)
    if row.state != ACTIVE:
        raise RuleViolation(f"La convenzione di {protocol} non è più attiva ({row.state}).")
    if not reason.strip():
        raise RuleViolation("Indicare il motivo della rideterminazione.")
    if amount_cents >= row.amount_cents:
        raise RuleViolation(f"La rideterminazione riduce l'importo: indicare meno di {format_euro(row.amount_cents)}.")
    paid = payments.net_paid(s, row.domanda_id)
    if amount_cents < paid or amount_cents <= 0:
        raise RuleViolation(
            f"L'importo rideterminato non può essere inferiore a quanto già erogato ({format_euro(paid)})."
        )
    before = _snapshot(row)
    row.amount_cents = amount_cents
    row.reason = reason.strip()
    s.flush()
    audit.record(s, actor, "convenzione.rideterminata", "domanda", protocol, before, _snapshot(row))
    return _info(protocol, row, final_grants(s)[1].get(protocol, 0))


def close(s: Session, actor: str, protocol: str, state: str, on_day: date, reason: str) -> int:
    """Revokes (or records the renunciation of) a signed agreement; returns the cents it frees.

    The money not yet paid is freed; what was paid stays bound until it is recovered (a «recupero»
    payment). The renunciation is also recorded in the ranking, for the sliding.
    """
    from valutazione.projects import payments
    from valutazione.services import ranking

    if state not in CLOSING_STATES:
        raise RuleViolation(f"Esito sconosciuto: «{state}» (ammessi: revocata, rinunciata).")
    row = require_agreement(s, protocol, lock=True)
    if row.state != ACTIVE:
        raise RuleViolation(f"La convenzione di {protocol} è già {row.state}.")
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"Indicare il motivo della {CLOSING_STATES[state]}.")
    if on_day < row.signed_on:
        raise RuleViolation("La data è anteriore alla firma della convenzione.")
    not_in_the_future(on_day, f"La {CLOSING_STATES[state]}")
    last = payments.last_payment_day(payments.standing_rows(s, row.domanda_id))
    if last is not None and on_day < last:  # the report would show a payment after the revocation
        raise RuleViolation(
            f"La {CLOSING_STATES[state]} del {on_day:%d/%m/%Y} precederebbe l'erogazione del {last:%d/%m/%Y} già "
            f"registrata per {protocol}: indicare una data non anteriore."
        )
    before = _snapshot(row)
    paid = payments.net_paid(s, row.domanda_id)
    row.state, row.closed_on, row.closed_reason = state, on_day, reason
    s.flush()
    audit.record(s, actor, f"convenzione.{state}", "domanda", protocol, before, _snapshot(row))
    label = "Revoca" if state == REVOKED else "Rinuncia"
    # A file written before the ranking's «rinuncia» refused a project with an agreement may hold one
    # already: the agreement must still be closable, or its payments could neither go on nor stop.
    if s.scalars(select(Rinuncia.id).where(Rinuncia.domanda_id == row.domanda_id)).first() is None:
        ranking.renounce(s, protocol, f"{label} dopo la convenzione: {reason}", actor)
    return row.amount_cents - paid


def binding_cents(row: Convenzione, paid_cents: int) -> int:
    """Binding money: the amount while active; after a revocation, only what was paid and not recovered."""
    return row.amount_cents if row.state == ACTIVE else paid_cents


@dataclass(frozen=True)
class Closing:
    """What a revocation or renunciation did: money freed and, with the sliding, who now enters."""

    freed_cents: int
    version: int | None
    entering: tuple[str, ...]


def close_and_slide(
    s: Session, actor: str, protocol: str, state: str, on_day: date, reason: str, *, slide: bool = True
) -> Closing:
    """``close`` then, unless told not to, the sliding as a new provisional version to approve."""
    from valutazione.services import ranking

    def funded(version: GraduatoriaVersion | None) -> set[str]:
        return set() if version is None else set(ranking.stored(version).grants())

    before = funded(ranking.latest(s))
    freed = close(s, actor, protocol, state, on_day, reason)
    if not slide:
        return Closing(freed, None, ())
    why = f"Scorrimento dopo la {CLOSING_STATES[state]} della convenzione di {protocol}"
    row = ranking.slide(s, actor, why)
    return Closing(freed, row.version, tuple(sorted(funded(row) - before)))
