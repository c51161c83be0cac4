"""Payments (*erogazioni*): advance, progress payments (SAL), balance, and recoveries.

A payment is never made before the agreement is signed and never brings what was paid above the binding
amount; an advance comes first, nothing but a recovery follows the balance. A recovery (*recupero*) is money
given back, for instance after a revocation: it lowers what was paid, so corrections are counter-entries and
no recorded payment is ever rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import Erogazione
from valutazione.money import format_euro
from valutazione.projects.agreements import binding_cents, require_agreement
from valutazione.projects.dates import not_in_the_future
from valutazione.projects.grants import final_grants
from valutazione.projects.states import ACTIVE
from valutazione.services import lookup

PAYMENT = "pagamento"
ADVANCE, PROGRESS, BALANCE, RECOVERY = "anticipo", "sal", "saldo", "recupero"
TYPES = {ADVANCE: "anticipo", PROGRESS: "stato di avanzamento (SAL)", BALANCE: "saldo", RECOVERY: "recupero"}


@dataclass(frozen=True)
class PaymentInfo:
    id: int
    protocol: str
    kind: str
    on_day: date
    amount_cents: int
    act: str
    note: str

    @property
    def signed_cents(self) -> int:
        """The payment as it counts towards *erogato*: a recovery subtracts."""
        return -self.amount_cents if self.kind == RECOVERY else self.amount_cents


def _rows(s: Session, domanda_id: int) -> list[Erogazione]:
    return list(
        s.scalars(
            select(Erogazione)
            .where(Erogazione.domanda_id == domanda_id, Erogazione.kind == PAYMENT)
            .order_by(Erogazione.on_day, Erogazione.id)
        )
    )


MARK = "Storno dell'erogazione n. {id}"  # how a counter-entry's note names the row it cancels
COUNTER_ACT = "storno"  # the act of a counter-entry, which no payment typed by hand may carry
_MARKED = re.compile(r"^\s*Storno\s+dell.erogazione\s+n", re.IGNORECASE)
_NAMED = re.compile(r"^Storno dell'erogazione n\. (\d+)\b")


def reversed_ids(s: Session, domanda_id: int) -> set[int]:
    """Ids of the payments of the application already cancelled by a counter-entry (``counter_entries``).

    Only a true counter-entry counts: a recovery with the counter-entry's act, whose note names an earlier
    payment (not a recovery) of the same application for the very same amount. A note alone proves nothing,
    as it is free text: a recovery of one cent noted «Storno dell'erogazione n. 7» would otherwise cancel
    a balance, and let new payments follow it.
    """
    rows = _rows(s, domanda_id)
    by_id = {e.id: e for e in rows}
    found = set()
    for e in rows:
        named = _NAMED.match(e.note or "") if e.tipo == RECOVERY and e.act == COUNTER_ACT else None
        target = by_id.get(int(named.group(1))) if named else None
        if (
            target is not None
            and target.tipo != RECOVERY
            and target.amount_cents == e.amount_cents
            and target.id < e.id
        ):
            found.add(target.id)
    return found


def _within_the_final_grant(s: Session, protocol: str, paid_after: int) -> None:
    """Erogato never above *ammesso*: a final ranking approved after the agreement may have lowered or
    taken away the grant (a re-evaluation after an appeal); until the agreement is re-determined or
    closed, payments stop at what the latest final ranking still grants."""
    version, grants = final_grants(s)
    grant = grants.get(protocol, 0)
    if paid_after > grant:
        raise RuleViolation(
            f"L'erogato di {protocol} ({format_euro(paid_after)}) supererebbe il contributo della graduatoria "
            f"definitiva vigente (versione {version}: {format_euro(grant)}): rideterminare o chiudere la "
            "convenzione prima di nuove erogazioni."
        )


def _in_date_order(
    protocol: str, kind: str, on_day: date, amount_cents: int, previous: list[Erogazione], standing: list[Erogazione]
) -> None:
    """The order rules hold by date too, as the ledger and the report list the rows by date.

    Checked only on what was recorded before, a progress payment could be dated before the advance, a
    balance before a progress payment already paid, a recovery before the money it gives back: the printed
    ledger then showed a payment after the balance, or a negative erogato, as if the rules had been broken.
    """
    day = f"{on_day:%d/%m/%Y}"
    if kind == RECOVERY:
        by_then = sum(-e.amount_cents if e.tipo == RECOVERY else e.amount_cents for e in previous if e.on_day <= on_day)
        if amount_cents > by_then:
            raise RuleViolation(
                f"Il recupero del {day} supera quanto erogato a {protocol} fino a quella data ({format_euro(by_then)})."
            )
        return
    advance = next((e for e in standing if e.tipo == ADVANCE), None)
    if advance is not None and on_day < advance.on_day:
        raise RuleViolation(
            f"L'erogazione del {day} precederebbe l'anticipo di {protocol} ({advance.on_day:%d/%m/%Y}), che è la prima."
        )
    last = last_payment_day(standing)
    if kind == BALANCE and last is not None and on_day < last:
        raise RuleViolation(
            f"Il saldo del {day} precederebbe l'erogazione del {last:%d/%m/%Y} di {protocol}: nessuna erogazione "
            "segue il saldo."
        )


def last_payment_day(standing: list[Erogazione]) -> date | None:
    """The day of the latest payment (recoveries aside) among rows not reversed."""
    return max((e.on_day for e in standing if e.tipo != RECOVERY), default=None)


def standing_rows(s: Session, domanda_id: int) -> list[Erogazione]:
    """The application's rows less those cancelled by a counter-entry."""
    cancelled = reversed_ids(s, domanda_id)
    return [e for e in _rows(s, domanda_id) if e.id not in cancelled]


def net_paid(s: Session, domanda_id: int) -> int:
    """What was paid to the application, net of recoveries (the *erogato*)."""
    return sum(-e.amount_cents if e.tipo == RECOVERY else e.amount_cents for e in _rows(s, domanda_id))


def list_payments(s: Session, protocol: str) -> list[PaymentInfo]:
    d = lookup.domanda_by_protocol(s, protocol)
    return [PaymentInfo(e.id, d.protocol, e.tipo, e.on_day, e.amount_cents, e.act, e.note) for e in _rows(s, d.id)]


def record(
    s: Session, actor: str, protocol: str, kind: str, on_day: date, amount_cents: int, act: str = "", note: str = ""
) -> PaymentInfo:
    """Records one payment or recovery, refusing any that breaks the order or the binding amount."""
    if kind not in TYPES:
        raise RuleViolation(f"Tipo di erogazione sconosciuto: «{kind}» (ammessi: {', '.join(TYPES)}).")
    if amount_cents <= 0:
        raise RuleViolation("L'importo dell'erogazione deve essere maggiore di zero.")
    if act.strip().casefold() == COUNTER_ACT or _MARKED.match(note):
        raise RuleViolation(
            "Atto «storno» e nota «Storno dell'erogazione n. …» sono riservati agli storni: per annullare "
            "un'erogazione registrata per errore usare «Storna la riga selezionata…» (o «erogazione storno» da "
            "riga di comando), che ne registra il recupero per intero con il motivo."
        )
    agreement = require_agreement(s, protocol, lock=True)
    not_in_the_future(on_day, f"L'erogazione ({TYPES[kind]})")
    if on_day < agreement.signed_on:
        raise RuleViolation(
            f"L'erogazione del {on_day:%d/%m/%Y} è anteriore alla convenzione di {protocol} "
            f"(firmata il {agreement.signed_on:%d/%m/%Y})."
        )
    previous = _rows(s, agreement.domanda_id)
    paid = sum(-e.amount_cents if e.tipo == RECOVERY else e.amount_cents for e in previous)
    cancelled = reversed_ids(s, agreement.domanda_id)
    standing = [e for e in previous if e.id not in cancelled]  # a reversed advance or balance is as if never paid
    _in_date_order(protocol, kind, on_day, amount_cents, previous, standing)
    if kind == RECOVERY:
        if amount_cents > paid:
            raise RuleViolation(f"Il recupero supera quanto erogato a {protocol} ({format_euro(paid)}).")
    else:
        if agreement.state != ACTIVE:
            raise RuleViolation(f"La convenzione di {protocol} è {agreement.state}: nessuna nuova erogazione.")
        if kind == ADVANCE and any(e.tipo != RECOVERY for e in standing):
            raise RuleViolation(f"L'anticipo precede ogni altra erogazione: {protocol} ne ha già ricevute.")
        if any(e.tipo == BALANCE for e in standing):
            raise RuleViolation(f"Il saldo di {protocol} è già stato erogato: nessuna nuova erogazione.")
        binding = binding_cents(agreement, paid)
        if paid + amount_cents > binding:
            raise RuleViolation(
                f"L'erogato di {protocol} ({format_euro(paid + amount_cents)}) supererebbe il giuridicamente "
                f"vincolante ({format_euro(binding)})."
            )
        _within_the_final_grant(s, protocol.strip(), paid + amount_cents)
    row = Erogazione(
        domanda_id=agreement.domanda_id,
        kind=PAYMENT,
        tipo=kind,
        on_day=on_day,
        amount_cents=amount_cents,
        act=act.strip(),
        note=note.strip(),
    )
    s.add(row)
    s.flush()
    after = {"tipo": kind, "data": on_day, "importo_centesimi": amount_cents, "atto": row.act, "nota": row.note}
    audit.record(s, actor, f"erogazione.{kind}", "domanda", protocol, None, after)
    return PaymentInfo(row.id, protocol, kind, on_day, amount_cents, row.act, row.note)
