"""Agreements and payments: erogato ≤ vincolante ≤ ammesso ≤ programmato, and every refusal on the way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.valutazione.projects.conftest import CHAIR, MEMBERS
from valutazione import audit
from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow, Rinuncia, utcnow
from valutazione.projects import agreements, monitoring, payments
from valutazione.services import lookup, ranking, sheets

D = date(2018, 6, 1)


def sign(db: Database, protocol: str, cents: int, reason: str = "", on: date = D) -> None:
    with db.sessions.begin() as s:
        agreements.sign(
            s, CHAIR, protocol, signed_on=on, amount_cents=cents, start_on=on, end_on=date(2019, 5, 31), reason=reason
        )


def pay(db: Database, protocol: str, kind: str, cents: int, on: date = date(2018, 7, 1)) -> None:
    with db.sessions.begin() as s:
        payments.record(s, CHAIR, protocol, kind, on, cents, act="DD 1/2018")


def figures(db: Database) -> monitoring.FinanceSummary:
    with db.sessions.begin() as s:
        return monitoring.summary(s, date(2018, 12, 1))


def test_agreement_makes_the_grant_binding(funded: Database) -> None:
    """Signing binds the grant: PG 138/2018 was granted € 20.909,00, so vincolante is € 20.909,00."""
    sign(funded, "PG 138/2018", 2_090_900)
    sm = figures(funded)
    assert (sm.programmato_cents, sm.ammesso_cents, sm.vincolante_cents) == (112_810_000, 44_599_900, 2_090_900)
    line = next(x for x in sm.lines if x.protocol == "PG 138/2018")
    assert line.state == "in corso" and monitoring.check_nesting(sm) == []


def test_agreement_refusals(funded: Database) -> None:
    """No agreement for an unfunded application, above the grant, twice, or below the grant without a reason."""
    with pytest.raises(RuleViolation, match="non è finanziata"):
        sign(funded, "PG 115/2018", 100)
    with pytest.raises(RuleViolation, match="supera il contributo concesso"):
        sign(funded, "PG 138/2018", 2_090_901)
    with pytest.raises(RuleViolation, match="motivo della rideterminazione"):
        sign(funded, "PG 138/2018", 2_000_000)
    sign(funded, "PG 138/2018", 2_000_000, reason="Spese non ammissibili stralciate")
    with pytest.raises(RuleViolation, match="già registrata"):
        sign(funded, "PG 138/2018", 100)
    assert figures(funded).vincolante_cents == 2_000_000


def test_payment_never_before_the_agreement_nor_above_it(funded: Database) -> None:
    """A payment needs a signed agreement, a date not before it, and keeps erogato within vincolante."""
    with pytest.raises(RuleViolation, match="non ha ancora una convenzione"):
        pay(funded, "PG 138/2018", "anticipo", 100)
    sign(funded, "PG 138/2018", 2_090_900)
    with pytest.raises(RuleViolation, match="anteriore alla convenzione"):
        pay(funded, "PG 138/2018", "anticipo", 100, on=date(2018, 5, 31))
    pay(funded, "PG 138/2018", "anticipo", 836_360)  # 40 % advance
    with pytest.raises(RuleViolation, match="L'anticipo precede"):
        pay(funded, "PG 138/2018", "anticipo", 100)
    with pytest.raises(RuleViolation, match="supererebbe il giuridicamente vincolante"):
        pay(funded, "PG 138/2018", "sal", 1_254_541)
    pay(funded, "PG 138/2018", "sal", 836_360)
    pay(funded, "PG 138/2018", "saldo", 418_180)
    with pytest.raises(RuleViolation, match="saldo .* già stato erogato"):
        pay(funded, "PG 138/2018", "sal", 1)
    sm = figures(funded)
    assert sm.erogato_cents == 2_090_900 == sm.vincolante_cents
    assert next(x for x in sm.lines if x.protocol == "PG 138/2018").state == "concluso"


def test_redetermination_never_below_what_was_paid(funded: Database) -> None:
    """Re-determination lowers vincolante, with a reason, and never below erogato."""
    sign(funded, "PG 130/2018", 5_000_000)
    pay(funded, "PG 130/2018", "anticipo", 2_000_000)
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="già erogato"):
        agreements.redetermine(s, CHAIR, "PG 130/2018", 1_999_999, "Riduzione del progetto")
    with funded.sessions.begin() as s:
        agreements.redetermine(s, CHAIR, "PG 130/2018", 4_500_000, "Riduzione del progetto")
    assert figures(funded).vincolante_cents == 4_500_000


def test_revocation_frees_the_unpaid_money_and_keeps_the_paid_until_recovered(funded: Database) -> None:
    """Revoked after € 20.000 paid on € 50.000: € 30.000 freed; the € 20.000 stay bound until recovered."""
    sign(funded, "PG 130/2018", 5_000_000)
    pay(funded, "PG 130/2018", "anticipo", 2_000_000)
    with funded.sessions.begin() as s:
        freed = agreements.close(s, CHAIR, "PG 130/2018", "revocata", date(2018, 9, 1), "Attività non avviate")
    assert freed == 3_000_000
    line = next(x for x in figures(funded).lines if x.protocol == "PG 130/2018")
    assert (line.state, line.figures.vincolante_cents, line.figures.erogato_cents) == ("revocato", 2_000_000, 2_000_000)
    with pytest.raises(RuleViolation, match="revocata: nessuna nuova erogazione"):
        pay(funded, "PG 130/2018", "sal", 100)
    pay(funded, "PG 130/2018", "recupero", 2_000_000, on=date(2018, 10, 1))
    line = next(x for x in figures(funded).lines if x.protocol == "PG 130/2018")
    assert (line.figures.vincolante_cents, line.figures.erogato_cents) == (0, 0)
    assert monitoring.check_nesting(figures(funded)) == []


def test_every_change_is_in_the_audit_log(funded: Database) -> None:
    """Agreements and payments write audit rows, and the chain stays intact."""
    sign(funded, "PG 138/2018", 2_090_900)
    pay(funded, "PG 138/2018", "anticipo", 100)
    with funded.sessions.begin() as s:
        report = audit.verify_chain(s)
        decisions = select(AuditRow.action).where(AuditRow.action != "sigillo").order_by(AuditRow.id.desc()).limit(2)
        actions = list(s.scalars(decisions))[::-1]
    assert report.ok
    assert actions == ["convenzione.firmata", "erogazione.anticipo"]


def test_renunciation_of_a_project_with_an_agreement_goes_through_the_agreement(funded: Database) -> None:
    """The ranking's «rinuncia» is refused while an agreement binds the grant: only closing the agreement
    frees money, and only the unpaid part (else the whole grant slid down while payments went on)."""
    sign(funded, "PG 138/2018", 2_090_900)
    pay(funded, "PG 138/2018", "anticipo", 800_000)
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="convenzione attiva"):
        ranking.renounce(s, "PG 138/2018", "Il beneficiario rinuncia", CHAIR)
    with funded.sessions.begin() as s:
        freed = agreements.close(s, CHAIR, "PG 138/2018", "rinunciata", date(2018, 9, 1), "Il beneficiario rinuncia")
    assert freed == 2_090_900 - 800_000


def test_a_later_final_ranking_below_a_signed_agreement_is_an_anomaly(funded: Database) -> None:
    """A new final ranking that takes the grant away (sheets reopened after the agreement) shows as
    «vincolante oltre l'ammesso», and no payment follows until the agreement is re-determined."""
    sign(funded, "PG 138/2018", 2_090_900)
    pay(funded, "PG 138/2018", "anticipo", 800_000)
    with funded.sessions.begin() as s:
        chair = lookup.member_by_name(s, CHAIR).id
        d = lookup.domanda_by_protocol(s, "PG 138/2018").id
        codes = [sub.code for sub in lookup.rules(s).subcriteria]
        for name, _role in MEMBERS:
            member = lookup.member_by_name(s, name).id
            sheets.reopen(s, member, d, chair, "Ricorso accolto: nuova valutazione")
            sheets.save_draft(s, member, d, {c: sheets.Mark(Decimal(0), "Rivalutazione") for c in codes})
            sheets.submit(s, member, d)
        ranking.approve(s, "provvisoria", CHAIR)
        ranking.approve(s, "definitiva", CHAIR)
    sm = figures(funded)
    line = next(x for x in sm.lines if x.protocol == "PG 138/2018")
    assert line.figures.ammesso_cents == 0
    assert "PG 138/2018: vincolante oltre l'ammesso a finanziamento" in monitoring.check_nesting(sm)
    with pytest.raises(RuleViolation, match="graduatoria definitiva"):
        pay(funded, "PG 138/2018", "sal", 100)


@pytest.mark.parametrize(
    ("kind", "on", "message"),
    [
        ("sal", date(2018, 7, 1), "precederebbe l'anticipo"),
        ("saldo", date(2018, 8, 31), "nessuna erogazione segue il saldo"),
        ("recupero", date(2018, 6, 30), "fino a quella data"),
        ("revoca", date(2018, 8, 31), "revoca del 31/08/2018 precederebbe l'erogazione del 01/09/2018"),
    ],
)
def test_the_order_of_payments_holds_by_date(funded: Database, kind: str, on: date, message: str) -> None:
    """Advance 10/07, SAL 01/09: no SAL dated before the advance, no balance before the SAL, no recovery
    before the money it returns, no revocation before a payment; the ledger, read by date, keeps the rules."""
    sign(funded, "PG 138/2018", 2_090_900)
    pay(funded, "PG 138/2018", "anticipo", 800_000, on=date(2018, 7, 10))
    pay(funded, "PG 138/2018", "sal", 500_000, on=date(2018, 9, 1))
    with pytest.raises(RuleViolation, match=message):
        if kind == "revoca":
            with funded.sessions.begin() as s:
                agreements.close(s, CHAIR, "PG 138/2018", "revocata", on, "Attività non avviate")
        else:
            pay(funded, "PG 138/2018", kind, 100_000, on=on)
    with funded.sessions() as s:
        assert len(payments.list_payments(s, "PG 138/2018")) == 2
        assert agreements.require_agreement(s, "PG 138/2018").state == "attiva"


def test_an_agreement_renounced_in_the_ranking_by_an_older_version_can_still_be_closed(funded: Database) -> None:
    """A file where the ranking's «rinuncia» was recorded over an active agreement (as earlier versions
    allowed) can still close that agreement: the closing frees the unpaid part and the ranking keeps one rinuncia."""
    sign(funded, "PG 138/2018", 2_090_900)
    pay(funded, "PG 138/2018", "anticipo", 800_000)
    with funded.sessions.begin() as s:  # what ranking.renounce wrote before it refused such a project
        d = lookup.domanda_by_protocol(s, "PG 138/2018")
        s.add(Rinuncia(domanda_id=d.id, recorded_at=utcnow(), reason="Il beneficiario rinuncia"))
        s.flush()
        audit.record(
            s, CHAIR, "rinuncia.registrata", "domanda", d.protocol, None, {"motivo": "Il beneficiario rinuncia"}
        )
    with funded.sessions.begin() as s:
        freed = agreements.close(s, CHAIR, "PG 138/2018", "rinunciata", date(2018, 9, 1), "Il beneficiario rinuncia")
        assert len(s.scalars(select(Rinuncia).where(Rinuncia.domanda_id == d.id)).all()) == 1
    assert freed == 2_090_900 - 800_000
