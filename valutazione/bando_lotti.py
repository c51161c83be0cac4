"""How a call divides its money: lots (*lotti, linee, ambiti*), reserved quotas, caps per project type,
at most N funded per applicant, and what happens to the money a lot does not use.

Kept apart from ``bando`` because a single-budget call has none of it: ``LotRules()`` (the default) is
"one budget, one ranking", and a call that leaves every key out keeps its stored rules and its
fingerprints exactly as they were. Every error names the TOML key, like the rest of the call file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from valutazione.bando_reader import Reader
from valutazione.money import from_cents, to_cents

RESIDUAL_RULES = ("nessuna", "migliori_non_finanziate", "pro_rata")
RESIDUAL_TO_LOT = "lotto:"


@dataclass(frozen=True)
class Lot:
    """One lot: its own budget and cap; ``None`` thresholds/co-financing mean "as the call says".

    ``total_threshold`` and ``thresholds`` override the call's when set; ``no_total_threshold`` says the
    lot has none even where the call has one (written ``soglia_totale = ""`` in the file).
    """

    code: str
    name: str
    budget_cents: int
    cap_cents: int
    min_cofinancing_percent: Decimal | None = None
    total_threshold: Decimal | None = None
    no_total_threshold: bool = False
    thresholds: tuple[tuple[str, Decimal | None], ...] = ()


@dataclass(frozen=True)
class ReservedQuota:
    """A part of a lot's budget (or of the whole call's, in a call without lots) funded first among the
    applications that have ``prop`` (a yes/no column of the import); what it leaves returns to the lot."""

    code: str
    name: str
    lot: str | None
    prop: str
    percent: Decimal | None
    amount_cents: int | None

    def reserved_cents(self, budget_cents: int) -> int:
        """The reserved money in cents: a share is rounded down, so a quota never takes more than it says."""
        if self.amount_cents is not None:
            return min(self.amount_cents, budget_cents)
        share = Decimal(budget_cents) * (self.percent or Decimal(0)) / 100
        return int(share.to_integral_value(rounding=ROUND_DOWN))


@dataclass(frozen=True)
class ProjectType:
    """A kind of project with its own cap (e.g. multi-area € 100.000, single-area € 40.000)."""

    code: str
    name: str
    cap_cents: int
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        wanted = " ".join(text.casefold().split())
        return wanted in {" ".join(n.casefold().split()) for n in (self.code, self.name, *self.aliases)}


@dataclass(frozen=True)
class LotRules:
    """Everything beyond "one budget, one ranking"; the default is exactly that."""

    lots: tuple[Lot, ...] = ()
    quotas: tuple[ReservedQuota, ...] = ()
    project_types: tuple[ProjectType, ...] = ()
    max_funded_per_applicant: int | None = None
    residual_rule: str = "nessuna"

    @property
    def active(self) -> bool:
        """Whether the call needs the lot-aware funding walk (otherwise the single walk runs, unchanged)."""
        return bool(self.lots or self.quotas or self.project_types) or self.max_funded_per_applicant is not None

    @property
    def residual_lot(self) -> str | None:
        if self.residual_rule.startswith(RESIDUAL_TO_LOT):
            return self.residual_rule[len(RESIDUAL_TO_LOT) :]
        return None

    def lot(self, code: str) -> Lot:
        for lot in self.lots:
            if lot.code == code:
                return lot
        raise KeyError(code)

    def find_lot(self, text: str) -> Lot | None:
        """The lot an import cell names, by code or name (case and spacing ignored)."""
        wanted = " ".join(text.casefold().split())
        for lot in self.lots:
            if wanted in (lot.code.casefold(), " ".join(lot.name.casefold().split())):
                return lot
        return None

    def project_type(self, text: str) -> ProjectType | None:
        return next((t for t in self.project_types if t.matches(text)), None)

    def to_mapping(self) -> dict[str, Any]:
        """The TOML layout; only the keys in use, so a single-budget call's stored rules do not change."""
        out: dict[str, Any] = {}
        if self.lots:
            out["lotti"] = [_lot_mapping(lot) for lot in self.lots]
        if self.quotas:
            out["quote_riservate"] = [_quota_mapping(q) for q in self.quotas]
        if self.project_types:
            out["tipi_progetto"] = [
                {"codice": t.code, "nome": t.name, "contributo_massimo": _euro(t.cap_cents), "alias": list(t.aliases)}
                for t in self.project_types
            ]
        return out

    def evaluation_mapping(self) -> dict[str, Any]:
        """The keys this module reads from ``[valutazione]``, again only when set."""
        out: dict[str, Any] = {}
        if self.max_funded_per_applicant is not None:
            out["max_finanziate_per_richiedente"] = self.max_funded_per_applicant
        if self.residual_rule != "nessuna":
            out["residui"] = self.residual_rule
        return out


_NO_PROPERTIES: frozenset[str] = frozenset()


def quota_properties(stored: str) -> frozenset[str]:
    """The properties an application has, from the stored comma-separated text."""
    if not stored:  # most applications have none: one shared empty set
        return _NO_PROPERTIES
    return frozenset(p.strip() for p in stored.split(",") if p.strip())


def stored_properties(properties: frozenset[str]) -> str:
    return ",".join(sorted(properties))


def _euro(cents: int) -> str:
    return str(from_cents(cents))


def _lot_mapping(lot: Lot) -> dict[str, Any]:
    out: dict[str, Any] = {
        "codice": lot.code,
        "nome": lot.name,
        "budget": _euro(lot.budget_cents),
        "contributo_massimo": _euro(lot.cap_cents),
    }
    if lot.min_cofinancing_percent is not None:
        out["cofinanziamento_minimo_percento"] = str(lot.min_cofinancing_percent)
    if lot.no_total_threshold:
        out["soglia_totale"] = ""
    elif lot.total_threshold is not None:
        out["soglia_totale"] = str(lot.total_threshold)
    if lot.thresholds:
        out["soglie"] = {code: "" if value is None else str(value) for code, value in lot.thresholds}
    return out


def _quota_mapping(q: ReservedQuota) -> dict[str, Any]:
    out: dict[str, Any] = {"codice": q.code, "nome": q.name, "proprieta": q.prop}
    if q.lot is not None:
        out["lotto"] = q.lot
    if q.percent is not None:
        out["percentuale"] = str(q.percent)
    if q.amount_cents is not None:
        out["importo"] = _euro(q.amount_cents)
    return out


def money_cents(r: Reader, name: str, default: Any = ...) -> int:
    """An amount in euro: a number as text (``"40000.00"``) or written the Italian way (``"€ 40.000,00"``)."""
    value = r.get(name, default)
    if isinstance(value, str) and value.strip().startswith("€"):
        text = value.strip()[1:].strip().replace(".", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise r.fail(name, f"importo non valido: {value!r}") from None
    else:
        amount = r.checked_decimal(name, value, Decimal(0))
    if not amount.is_finite() or amount < 0:
        raise r.fail(name, f"importo non valido: {value!r}")
    try:
        return to_cents(amount)
    except ValueError as exc:
        raise r.fail(name, str(exc)) from None


def parse_lot_rules(
    root: Reader,
    evaluation: Reader,
    *,
    budget_cents: int,
    cap_cents: int,
    criteria: tuple[str, ...],
    source: str,
) -> LotRules:
    """Reads ``[[lotti]]``, ``[[quote_riservate]]``, ``[[tipi_progetto]]`` and the two ``[valutazione]`` keys."""
    lots = tuple(
        _lot(raw, f"lotti[{i}]", source, cap_cents, criteria) for i, raw in enumerate(root.table_list("lotti", []))
    )
    _unique(root, "lotti", [lot.code for lot in lots])
    if lots:
        total = sum(lot.budget_cents for lot in lots)
        if total != budget_cents:
            raise root.fail(
                "lotti",
                f"la somma dei budget dei lotti ({_euro(total)}) non è il budget del bando ({_euro(budget_cents)})",
            )
    types = tuple(
        _type(raw, f"tipi_progetto[{i}]", source, cap_cents)
        for i, raw in enumerate(root.table_list("tipi_progetto", []))
    )
    _unique(root, "tipi_progetto", [t.code for t in types])
    budgets = {lot.code: lot.budget_cents for lot in lots}
    quotas = tuple(
        _quota(raw, f"quote_riservate[{i}]", source, budgets, budget_cents)
        for i, raw in enumerate(root.table_list("quote_riservate", []))
    )
    _unique(root, "quote_riservate", [q.code for q in quotas])
    for scope in {q.lot for q in quotas}:
        reserved = sum(q.reserved_cents(budgets.get(scope or "", budget_cents)) for q in quotas if q.lot == scope)
        if reserved > budgets.get(scope or "", budget_cents):
            raise root.fail(
                "quote_riservate", f"le quote riservate del lotto {scope or '(bando)'} superano il suo budget"
            )
    limit = evaluation.get("max_finanziate_per_richiedente", None)
    if limit is not None:
        limit = evaluation.integer("max_finanziate_per_richiedente", 1, 1000)
    residual = evaluation.get("residui", "nessuna")
    if not isinstance(residual, str) or not (
        residual in RESIDUAL_RULES
        or (residual.startswith(RESIDUAL_TO_LOT) and residual[len(RESIDUAL_TO_LOT) :] in budgets)
    ):
        allowed = ", ".join((*RESIDUAL_RULES, "lotto:<codice di un lotto>"))
        raise evaluation.fail("residui", f"valore «{residual}» non ammesso; valori possibili: {allowed}")
    if residual != "nessuna" and not lots:
        raise evaluation.fail("residui", "la regola sui residui vale solo per un bando diviso in lotti")
    return LotRules(lots, quotas, types, limit, residual)


def _unique(root: Reader, name: str, codes: list[str]) -> None:
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise root.fail(name, f"codici ripetuti: {', '.join(repeated)}")


# Keys a lot might use to bring its own grid: refused by name (docs/regole.md § 19), not as a typo.
OWN_GRID_KEYS = ("criteri", "griglia", "sottocriteri")


def _lot(data: Any, prefix: str, source: str, call_cap: int, criteria: tuple[str, ...]) -> Lot:
    r = Reader(data, prefix, source)
    for key in OWN_GRID_KEYS:
        if isinstance(data, dict) and key in data:
            named = f"il lotto «{data.get('codice')}»" if isinstance(data.get("codice"), str) else "un lotto"
            raise r.fail(
                key,
                f"{named} non può avere una griglia propria: tutti i lotti si valutano con i criteri del bando; "
                "per un lotto si indicano soltanto soglie («soglie», «soglia_totale»), contributo massimo e "
                "cofinanziamento minimo propri (regole, § 19)",
            )
    code = r.text("codice").strip()
    budget = money_cents(r, "budget")
    if budget <= 0:
        raise r.fail("budget", "deve essere maggiore di zero")
    cap = money_cents(r, "contributo_massimo", str(from_cents(call_cap)))
    if cap <= 0:
        raise r.fail("contributo_massimo", "deve essere maggiore di zero")
    if cap > budget:
        raise r.fail("contributo_massimo", "non può superare il budget del lotto")
    cofin = r.optional_decimal("cofinanziamento_minimo_percento")
    if cofin is not None and cofin > 100:
        raise r.fail("cofinanziamento_minimo_percento", "deve essere una percentuale tra 0 e 100")
    raw_total = r.get("soglia_totale", None)
    no_total = isinstance(raw_total, str) and not raw_total.strip()
    thresholds: list[tuple[str, Decimal | None]] = []
    table = r.get("soglie", {})
    if table:
        s = Reader(table, f"{prefix}.soglie", source)
        for key in table:
            if key not in criteria:
                raise s.fail(key, f"«{key}» non è un criterio del bando")
            thresholds.append((key, s.optional_decimal(key)))
    lot = Lot(
        code=code,
        name=r.text("nome"),
        budget_cents=budget,
        cap_cents=cap,
        min_cofinancing_percent=cofin,
        total_threshold=None if no_total else r.optional_decimal("soglia_totale"),
        no_total_threshold=no_total,
        thresholds=tuple(thresholds),
    )
    r.check_unknown()
    return lot


def _type(data: Any, prefix: str, source: str, call_cap: int) -> ProjectType:
    r = Reader(data, prefix, source)
    cap = money_cents(r, "contributo_massimo")
    if cap <= 0:
        raise r.fail("contributo_massimo", "deve essere maggiore di zero")
    if cap > call_cap:
        raise r.fail("contributo_massimo", "non può superare il contributo massimo del bando")
    aliases = r.table_list("alias", [])
    if not all(isinstance(a, str) for a in aliases):
        raise r.fail("alias", "deve essere un elenco di testi")
    kind = ProjectType(r.text("codice").strip(), r.text("nome"), cap, tuple(aliases))
    r.check_unknown()
    return kind


def _quota(data: Any, prefix: str, source: str, budgets: dict[str, int], call_budget: int) -> ReservedQuota:
    r = Reader(data, prefix, source)
    lot = r.get("lotto", None)
    if lot is not None and (not isinstance(lot, str) or lot not in budgets):
        raise r.fail("lotto", f"«{lot}» non è un lotto del bando")
    if lot is None and budgets:
        raise r.fail("lotto", "in un bando diviso in lotti la quota indica il lotto a cui è riservata")
    percent = r.optional_decimal("percentuale")
    amount = money_cents(r, "importo") if r.get("importo", None) is not None else None
    if (percent is None) == (amount is None):
        raise r.fail("percentuale", "indicare la percentuale oppure l'importo della quota (uno dei due)")
    if percent is not None and not 0 < percent <= 100:
        raise r.fail("percentuale", "deve essere una percentuale maggiore di 0 e al massimo 100")
    scope_budget = budgets[lot] if lot is not None else call_budget
    if amount is not None and not 0 < amount <= scope_budget:
        raise r.fail("importo", "deve essere maggiore di zero e non superare il budget a cui si riferisce")
    prop = r.text("proprieta").strip()
    quota = ReservedQuota(r.text("codice").strip(), r.text("nome"), lot, prop, percent, amount)
    r.check_unknown()
    return quota
