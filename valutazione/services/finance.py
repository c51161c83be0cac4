"""Money after the ranking: programmato, ammesso, giuridicamente vincolante, erogato (docs/regole.md § 18).

The PON Metro monitoring reports these four figures and they must always nest:
erogato ≤ vincolante ≤ ammesso ≤ programmato, overall and per beneficiary. A grant agreement
(*convenzione*) can only commit money the final ranking admitted, and a payment can only pay money an
agreement committed, so every new ``Erogazione`` is checked here, in the caller's transaction, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.db import load_rules
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Domanda, Erogazione, GraduatoriaVersion
from valutazione.money import format_euro
from valutazione.ranking.stored import read_version

CONVENZIONE = "convenzione"
PAGAMENTO = "pagamento"
KINDS = (CONVENZIONE, PAGAMENTO)


@dataclass(frozen=True)
class BeneficiaryLine:
    """One beneficiary's money; ``ammesso_cents`` is its grant in the latest final ranking."""

    protocol: str
    applicant: str
    ammesso_cents: int
    vincolante_cents: int
    erogato_cents: int


@dataclass(frozen=True)
class FinanceSummary:
    """The four monitoring figures and the per-beneficiary lines behind them."""

    programmato_cents: int
    ammesso_cents: int
    vincolante_cents: int
    erogato_cents: int
    lines: tuple[BeneficiaryLine, ...]
    ranking_version: int | None


def final_grants(session: Session) -> tuple[int | None, dict[str, int]]:
    """Grants (protocol → cents) of the latest *definitiva* ranking version; empty before one exists."""
    version = session.scalars(
        select(GraduatoriaVersion)
        .where(GraduatoriaVersion.state == "definitiva")
        .order_by(GraduatoriaVersion.version.desc())
        .limit(1)
    ).first()
    if version is None:
        return None, {}
    return version.version, read_version(version.content_json).grants()


def _totals_by_domanda(session: Session, kind: str) -> dict[int, int]:
    totals: dict[int, int] = {}
    for e in session.scalars(select(Erogazione).where(Erogazione.kind == kind)):
        totals[e.domanda_id] = totals.get(e.domanda_id, 0) + e.amount_cents
    return totals


def summary(session: Session) -> FinanceSummary:
    """The four figures now, with one line per beneficiary that has a grant or any agreement/payment."""
    bando = load_rules(session)
    version, grants = final_grants(session)
    vincolante = _totals_by_domanda(session, CONVENZIONE)
    erogato = _totals_by_domanda(session, PAGAMENTO)
    ids = set(vincolante) | set(erogato)
    domande = {d.protocol: d for d in session.scalars(select(Domanda))}
    by_id = {d.id: d for d in domande.values()}
    protocols = set(grants) | {by_id[i].protocol for i in ids if i in by_id}
    lines = []
    for protocol in sorted(protocols):
        d = domande.get(protocol)
        lines.append(
            BeneficiaryLine(
                protocol=protocol,
                applicant=d.applicant if d else "",
                ammesso_cents=grants.get(protocol, 0),
                vincolante_cents=vincolante.get(d.id, 0) if d else 0,
                erogato_cents=erogato.get(d.id, 0) if d else 0,
            )
        )
    return FinanceSummary(
        programmato_cents=bando.budget_cents,
        ammesso_cents=sum(line.ammesso_cents for line in lines),
        vincolante_cents=sum(line.vincolante_cents for line in lines),
        erogato_cents=sum(line.erogato_cents for line in lines),
        lines=tuple(lines),
        ranking_version=version,
    )


def record_erogazione(
    session: Session, actor: str, protocol: str, kind: str, on_day: date, amount_cents: int, note: str = ""
) -> Erogazione:
    """Records an agreement (vincolante) or a payment (erogato), refusing any that breaks the nesting."""
    if kind not in KINDS:
        raise RuleViolation(f"Tipo di movimento sconosciuto: «{kind}» (ammessi: convenzione, pagamento)")
    if amount_cents <= 0:
        raise RuleViolation("L'importo deve essere maggiore di zero")
    domanda = session.scalars(select(Domanda).where(Domanda.protocol == protocol)).first()
    if domanda is None:
        raise NotFoundError(f"Nessuna domanda con protocollo {protocol}")
    current = summary(session)
    line = next((x for x in current.lines if x.protocol == protocol), None)
    ammesso = line.ammesso_cents if line else 0
    vincolante = line.vincolante_cents if line else 0
    erogato = line.erogato_cents if line else 0
    if kind == CONVENZIONE:
        if ammesso == 0:
            raise RuleViolation(
                f"La domanda {protocol} non è ammessa a finanziamento nella graduatoria definitiva: "
                "nessuna convenzione possibile"
            )
        if vincolante + amount_cents > ammesso:
            raise RuleViolation(
                f"Il giuridicamente vincolante di {protocol} ({format_euro(vincolante + amount_cents)}) "
                f"supererebbe l'ammesso a finanziamento ({format_euro(ammesso)})"
            )
        if current.vincolante_cents + amount_cents > current.programmato_cents:
            raise RuleViolation("Il giuridicamente vincolante supererebbe l'importo programmato")
    else:
        if erogato + amount_cents > vincolante:
            raise RuleViolation(
                f"L'erogato di {protocol} ({format_euro(erogato + amount_cents)}) supererebbe il "
                f"giuridicamente vincolante ({format_euro(vincolante)}): serve prima una convenzione"
            )
    row = Erogazione(domanda_id=domanda.id, kind=kind, on_day=on_day, amount_cents=amount_cents, note=note)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        f"erogazione.{kind}",
        "domanda",
        protocol,
        None,
        {"importo_centesimi": amount_cents, "data": on_day, "nota": note},
    )
    return row


def check_nesting(s: FinanceSummary) -> list[str]:
    """Every place where the nesting is broken (e.g. a final ranking reduced after an agreement)."""
    problems = []
    for line in s.lines:
        if line.erogato_cents > line.vincolante_cents:
            problems.append(f"{line.protocol}: erogato oltre il giuridicamente vincolante")
        if line.vincolante_cents > line.ammesso_cents:
            problems.append(f"{line.protocol}: vincolante oltre l'ammesso a finanziamento")
    if s.ammesso_cents > s.programmato_cents:
        problems.append("ammesso a finanziamento oltre l'importo programmato")
    return problems
