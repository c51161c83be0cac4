"""Correcting a recorded payment by counter-entry (*storno*): the wrong row stays, an opposite one cancels it.

Why not an edit: the payments are evidence of public money paid; a mistyped amount or date is corrected by
a recovery row of the same amount that names the row it cancels and why, so the ledger reads both and the net
paid is right. A reversed row no longer counts for the order of payments (a reversed advance or balance can
be recorded again correctly); a row is reversed once, and a recovery is not itself reversed (a wrong recovery
is balanced by recording the payment again).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Domanda, Erogazione
from valutazione.money import format_euro
from valutazione.projects.agreements import agreement_row
from valutazione.projects.dates import not_in_the_future
from valutazione.projects.payments import COUNTER_ACT, MARK, PAYMENT, RECOVERY, TYPES, PaymentInfo, reversed_ids


def counter_entry(s: Session, actor: str, payment_id: int, on_day: date, reason: str) -> PaymentInfo:
    """Records the counter-entry of payment ``payment_id``; refuses without a reason or a second time."""
    row = s.get(Erogazione, payment_id)
    if row is None or row.kind != PAYMENT:
        raise NotFoundError(f"Nessuna erogazione con identificativo {payment_id}.")
    domanda = s.get(Domanda, row.domanda_id)
    assert domanda is not None  # the foreign key guarantees it
    agreement_row(s, row.domanda_id, lock=True)  # one write at a time on the project: a row is reversed once
    reason = reason.strip()
    described = f"{TYPES[row.tipo]} del {row.on_day:%d/%m/%Y} di {format_euro(row.amount_cents)}"
    if not reason:
        raise RuleViolation(f"Indicare il motivo dello storno dell'erogazione ({described}) di {domanda.protocol}.")
    if row.tipo == RECOVERY:
        raise RuleViolation(
            f"Un recupero ({described}) non si storna: se registrato per errore, registrare di nuovo l'erogazione."
        )
    if payment_id in reversed_ids(s, row.domanda_id):
        raise RuleViolation(f"L'erogazione ({described}) di {domanda.protocol} è già stata stornata.")
    not_in_the_future(on_day, "Lo storno")
    if on_day < row.on_day:
        raise RuleViolation(f"Lo storno non può precedere l'erogazione che annulla ({row.on_day:%d/%m/%Y}).")
    note = f"{MARK.format(id=payment_id)} ({described}): {reason}"
    entry = Erogazione(
        domanda_id=row.domanda_id,
        kind=PAYMENT,
        tipo=RECOVERY,
        on_day=on_day,
        amount_cents=row.amount_cents,
        act=COUNTER_ACT,
        note=note,
    )
    s.add(entry)
    s.flush()
    original = {"id": row.id, "tipo": row.tipo, "data": row.on_day, "importo_centesimi": row.amount_cents}
    audit.record(
        s, actor, "erogazione.storno", "domanda", domanda.protocol, original, {"id": entry.id, "motivo": reason}
    )
    return PaymentInfo(entry.id, domanda.protocol, RECOVERY, on_day, entry.amount_cents, entry.act, entry.note)
