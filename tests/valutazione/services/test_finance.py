"""Finance: erogato ≤ vincolante ≤ ammesso ≤ programmato, per beneficiary and overall."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from valutazione.db import Database
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Domanda, GraduatoriaVersion
from valutazione.services import finance


def _domanda(protocol: str, grant: int) -> Domanda:
    return Domanda(
        protocol=protocol,
        submitted_at=datetime(2018, 2, 1, tzinfo=UTC),
        applicant=f"Ente {protocol}",
        title="Progetto",
        total_cost_cents=grant * 2,
        grant_cents=grant,
        cofinancing_cents=grant,
    )


def _final(s, grants: dict[str, str], version: int = 1, state: str = "definitiva") -> None:
    # A version in the stored shape of schema 1 (before ``schema_version``), as files in the field hold.
    rows = [
        {"protocol": p, "grant": g, "status": "finanziata" if g != "0.00" else "ammessa_non_finanziata"}
        for p, g in grants.items()
    ]
    s.add(
        GraduatoriaVersion(
            version=version,
            state=state,
            approved_at=datetime.now(UTC),
            fingerprint="f" * 64,
            content_json=json.dumps({"rows": rows}),
        )
    )


@pytest.fixture
def funded(db: Database) -> Database:
    with db.sessions.begin() as s:
        s.add_all([_domanda("P1", 5_000_000), _domanda("P2", 3_000_000), _domanda("P3", 1_000_000)])
        _final(s, {"P1": "50000.00", "P2": "30000.00", "P3": "0.00"})
    return db


def test_summary_before_final_ranking_has_only_programmato(db: Database) -> None:
    """Before a final ranking nothing is ammesso: only the call's budget is programmato."""
    with db.sessions() as s:
        sm = finance.summary(s)
    assert (sm.programmato_cents, sm.ammesso_cents, sm.vincolante_cents, sm.erogato_cents) == (
        112_810_000,
        0,
        0,
        0,
    )
    assert sm.lines == () and sm.ranking_version is None


def test_provisional_ranking_admits_nothing(db: Database) -> None:
    """Only a definitiva ranking admits money: a provvisoria leaves ammesso at zero."""
    with db.sessions.begin() as s:
        s.add(_domanda("P1", 5_000_000))
        _final(s, {"P1": "50000.00"}, state="provvisoria")
    with db.sessions() as s:
        assert finance.summary(s).ammesso_cents == 0


def test_nesting_accepted_up_to_the_limits(funded: Database) -> None:
    """An agreement up to the grant and payments up to the agreement are accepted and summed."""
    with funded.sessions.begin() as s:
        finance.record_erogazione(s, "presidente", "P1", "convenzione", date(2018, 6, 1), 5_000_000)
        finance.record_erogazione(s, "presidente", "P1", "pagamento", date(2018, 7, 1), 2_000_000)
        finance.record_erogazione(s, "presidente", "P1", "pagamento", date(2018, 9, 1), 3_000_000)
    with funded.sessions() as s:
        sm = finance.summary(s)
    assert (sm.ammesso_cents, sm.vincolante_cents, sm.erogato_cents) == (8_000_000, 5_000_000, 5_000_000)
    assert finance.check_nesting(sm) == []


def test_agreement_over_grant_refused(funded: Database) -> None:
    """vincolante ≤ ammesso: an agreement larger than the final grant is refused."""
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="supererebbe l'ammesso"):
        finance.record_erogazione(s, "presidente", "P2", "convenzione", date(2018, 6, 1), 3_000_001)


def test_agreement_for_unfunded_refused(funded: Database) -> None:
    """No agreement for an application the final ranking did not fund."""
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="non è ammessa a finanziamento"):
        finance.record_erogazione(s, "presidente", "P3", "convenzione", date(2018, 6, 1), 100)


def test_payment_without_agreement_refused(funded: Database) -> None:
    """erogato ≤ vincolante: a payment needs an agreement that covers it."""
    with funded.sessions.begin() as s:
        finance.record_erogazione(s, "presidente", "P2", "convenzione", date(2018, 6, 1), 1_000_000)
    with funded.sessions.begin() as s, pytest.raises(RuleViolation, match="supererebbe il giuridicamente"):
        finance.record_erogazione(s, "presidente", "P2", "pagamento", date(2018, 7, 1), 1_000_001)


@pytest.mark.parametrize("kind, amount, error", [("anticipo", 100, RuleViolation), ("pagamento", 0, RuleViolation)])
def test_bad_kind_or_amount_refused(funded: Database, kind: str, amount: int, error: type[Exception]) -> None:
    """Only convenzione/pagamento, and only positive amounts, are money movements."""
    with funded.sessions.begin() as s, pytest.raises(error):
        finance.record_erogazione(s, "presidente", "P1", kind, date(2018, 6, 1), amount)


def test_unknown_protocol_refused(funded: Database) -> None:
    """A movement names an application that exists."""
    with funded.sessions.begin() as s, pytest.raises(NotFoundError):
        finance.record_erogazione(s, "presidente", "P9", "convenzione", date(2018, 6, 1), 100)


def test_movement_is_audited(funded: Database) -> None:
    """Every agreement and payment leaves an audit row."""
    from sqlalchemy import select

    from valutazione.models import AuditRow

    with funded.sessions.begin() as s:
        finance.record_erogazione(s, "presidente", "P1", "convenzione", date(2018, 6, 1), 100, "rep. 12")
    with funded.sessions() as s:
        actions = [a.action for a in s.scalars(select(AuditRow))]
    assert "erogazione.convenzione" in actions
