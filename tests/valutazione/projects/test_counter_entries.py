"""Counter-entries (storno): a wrong payment is cancelled by an opposite row naming it, never rewritten."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.valutazione.projects.conftest import CHAIR
from tests.valutazione.projects.test_money import pay, sign
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow, Erogazione
from valutazione.projects import monitoring, payments
from valutazione.projects.counter_entries import counter_entry
from valutazione.seals import verify_seals

P = "PG 138/2018"


def test_wrong_balance_reversed_then_recorded_right(funded: Database) -> None:
    """A balance typed with the wrong amount is reversed (both rows stay, net paid back to the advance) and
    the balance can then be recorded again; the log keeps the original row and the reason."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    pay(funded, P, payments.BALANCE, 100_000, on=date(2018, 9, 1))
    with funded.sessions() as s:
        wrong = payments.list_payments(s, P)[-1]
    with funded.sessions.begin() as s:
        entry = counter_entry(s, CHAIR, wrong.id, date(2018, 9, 2), "Importo digitato senza uno zero")
    assert entry.kind == payments.RECOVERY and entry.amount_cents == 100_000
    assert entry.note.startswith(f"Storno dell'erogazione n. {wrong.id} (saldo del 01/09/2018 di € 1.000,00)")
    pay(funded, P, payments.BALANCE, 1_000_000, on=date(2018, 9, 3))
    with funded.sessions() as s:
        rows = payments.list_payments(s, P)
        assert [r.kind for r in rows] == ["anticipo", "saldo", "recupero", "saldo"]
        assert sum(r.signed_cents for r in rows) == 2_000_000
        logged = s.scalars(select(AuditRow).where(AuditRow.action == "erogazione.storno")).one()
        assert json.loads(logged.before_json)["importo_centesimi"] == 100_000
        assert json.loads(logged.after_json)["motivo"] == "Importo digitato senza uno zero"
        assert verify_seals(s) == []


@pytest.mark.parametrize(
    ("which", "reason", "on", "message"),
    [
        (0, " ", date(2018, 7, 2), "motivo dello storno"),
        (0, "errore", date(2018, 6, 30), "non può precedere"),
        (2, "errore", date(2018, 7, 3), "non si storna"),
        (1, "di nuovo", date(2018, 7, 3), "già stata stornata"),
    ],
)
def test_counter_entry_refusals(funded: Database, which: int, reason: str, on: date, message: str) -> None:
    """No reason, a date before the row, a recovery, or a row already reversed: refused, nothing written."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    pay(funded, P, payments.PROGRESS, 500_000, on=date(2018, 7, 2))
    with funded.sessions() as s:
        progress_id = payments.list_payments(s, P)[1].id
    with funded.sessions.begin() as s:
        counter_entry(s, CHAIR, progress_id, date(2018, 7, 2), "SAL registrato due volte")
    with funded.sessions() as s:
        ids = [r.id for r in payments.list_payments(s, P)]
        before = len(ids)
    with pytest.raises(RuleViolation, match=message), funded.sessions.begin() as s:
        counter_entry(s, CHAIR, ids[which], on, reason)
    with funded.sessions() as s:
        assert len(payments.list_payments(s, P)) == before


def typed_before(db: Database, beside: int, named: int, cents: int, act: str, on: date) -> int:
    """A recovery noted «Storno dell'erogazione n. ``named``», stored as a file written before the note
    was reserved holds it (beside payment ``beside``, of the same application); the application's id."""
    with db.sessions.begin() as s:
        domanda_id = s.get(Erogazione, beside).domanda_id
        note = f"Storno dell'erogazione n. {named}"
        row = Erogazione(domanda_id=domanda_id, kind="pagamento", tipo="recupero", on_day=on, amount_cents=cents)
        row.act, row.note = act, note
        s.add(row)
    return domanda_id


@pytest.mark.parametrize(
    ("act", "note"),
    [
        ("storno", ""),
        (" Storno ", "restituzione"),
        ("DD 9/2018", "Storno dell'erogazione n. 2"),
        ("", "  storno dell’erogazione n. 2 (saldo)"),
    ],
)
def test_a_typed_payment_cannot_pass_for_a_counter_entry(funded: Database, act: str, note: str) -> None:
    """The counter-entry's act and note are reserved: a recovery typed with them is refused, nothing written."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    with pytest.raises(RuleViolation, match="riservati agli storni"), funded.sessions.begin() as s:
        payments.record(s, CHAIR, P, payments.RECOVERY, date(2018, 7, 2), 1, act=act, note=note)
    with funded.sessions() as s:
        assert [r.kind for r in payments.list_payments(s, P)] == ["anticipo"]


@pytest.mark.parametrize("forged", ["one cent", "plain act", "a recovery"])
def test_only_a_true_counter_entry_cancels_a_payment(funded: Database, forged: str) -> None:
    """A recovery already in a file (typed before the act and note were reserved) that names a payment but
    is not its counter-entry (another amount, another act, a recovery) cancels
    nothing: the balance still closes the payments, and the true counter-entry can still be made."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    pay(funded, P, payments.BALANCE, 500_000, on=date(2018, 9, 1))
    pay(funded, P, payments.RECOVERY, 10_000, on=date(2018, 9, 2))
    with funded.sessions() as s:
        advance, balance, recovery = payments.list_payments(s, P)
    named, cents, act = {
        "one cent": (balance.id, 1, "storno"),
        "plain act": (balance.id, balance.amount_cents, "DD 9/2018"),
        "a recovery": (recovery.id, recovery.amount_cents, "storno"),
    }[forged]
    domanda_id = typed_before(funded, balance.id, named, cents, act, date(2018, 9, 3))
    with funded.sessions() as s:
        assert payments.reversed_ids(s, domanda_id) == set()
    with pytest.raises(RuleViolation, match="saldo .* già stato erogato"):
        pay(funded, P, payments.PROGRESS, 1_000, on=date(2018, 9, 5))
    with funded.sessions.begin() as s:
        counter_entry(s, CHAIR, balance.id, date(2018, 9, 5), "Importo errato")
    with funded.sessions() as s:
        assert payments.reversed_ids(s, domanda_id) == {balance.id}


def test_a_counter_entry_cannot_name_a_payment_still_to_come(funded: Database) -> None:
    """A recovery naming a row number not yet used cancels nothing when a payment later takes that number."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    with funded.sessions() as s:
        (advance,) = payments.list_payments(s, P)
    domanda_id = typed_before(funded, advance.id, advance.id + 2, 30_000, "storno", date(2018, 7, 2))
    pay(funded, P, payments.PROGRESS, 30_000, on=date(2018, 7, 3))
    with funded.sessions() as s:
        progress = payments.list_payments(s, P)[-1]
        assert progress.id == advance.id + 2
        assert payments.reversed_ids(s, domanda_id) == set()
    with funded.sessions.begin() as s:
        counter_entry(s, CHAIR, progress.id, date(2018, 7, 4), "SAL registrato due volte")
    with funded.sessions() as s:
        assert payments.reversed_ids(s, domanda_id) == {progress.id}


def test_a_reversed_balance_does_not_close_the_project(funded: Database) -> None:
    """A balance cancelled by counter-entry leaves the project «in corso» (as payments may follow), not «concluso»."""
    sign(funded, P, 2_090_900)
    pay(funded, P, payments.ADVANCE, 1_000_000)
    pay(funded, P, payments.BALANCE, 100_000, on=date(2018, 9, 1))
    with funded.sessions.begin() as s:
        wrong = payments.list_payments(s, P)[-1]
        assert _state(s) == "concluso"
        counter_entry(s, CHAIR, wrong.id, date(2018, 9, 2), "Importo digitato senza uno zero")
        assert _state(s) == "in corso"
    pay(funded, P, payments.BALANCE, 1_000_000, on=date(2018, 9, 3))
    with funded.sessions() as s:
        assert _state(s) == "concluso"


def _state(s: Session) -> str:
    return next(x.state for x in monitoring.summary(s, date(2018, 12, 1)).lines if x.protocol == P)
