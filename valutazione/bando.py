"""The call's rules (*bando*): loaded from TOML, validated key by key, frozen.

A database keeps its own copy of the rules (``Bando.to_mapping()`` as JSON), so editing the TOML
template never changes an evaluation already under way. Every error names the TOML key that is wrong,
because the person fixing it is reading the file, not the code.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from valutazione.bando_grid import PAIRWISE_AGGREGATIONS as PAIRWISE_AGGREGATIONS
from valutazione.bando_grid import Criterion as Criterion
from valutazione.bando_grid import ScaleStep as ScaleStep
from valutazione.bando_grid import SubCriterion as SubCriterion
from valutazione.bando_grid import Zone as Zone
from valutazione.bando_grid import parse_criterion, parse_scale_step, parse_zone
from valutazione.bando_lotti import LotRules, parse_lot_rules
from valutazione.bando_reader import Reader
from valutazione.errors import BandoError
from valutazione.money import to_cents
from valutazione.projects.rules import MonitoringRules, parse_monitoring

METHODS = ("coefficienti", "punti")
RESCALINGS = ("nessuna", "prima", "prima_e_seconda")
FUNDING_RULES = ("parziale", "rigida", "salta")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
TIE_SUBMISSION = "data_invio"
SUBMISSION_PRECISIONS = ("minuto", "secondo")
# Rules stored by a program older than ``precisione_invio`` compared submission times to the second:
# reading them back with that precision keeps an approved version reproducible.
LEGACY_SUBMISSION_PRECISION = "secondo"


DEFAULT_ATTACHMENT_MAX_MB = 50  # one attachment of an application; a platform's own cap is usually 10-20 MB
MAX_ATTACHMENT_MB = 1024  # above this a "document" is a disk image, and the committee file would carry it


@dataclass(frozen=True)
class Bando:
    code: str
    title: str
    authority: str
    programme: str
    action: str
    rup: str
    cup: str
    budget_cents: int
    cap_cents: int
    min_cofinancing_percent: Decimal
    deadline: datetime
    timezone: str
    quorum: int
    rescue_days: int
    legal_forms: tuple[str, ...]
    zones: tuple[Zone, ...]
    method: str
    points_step: Decimal
    justification_required: bool
    total_threshold: Decimal | None
    rescaling: str
    rounding_places: int
    rounding_mode: str
    tie_chain: tuple[str, ...]
    funding_rule: str
    spread_warning: Decimal
    scale: tuple[ScaleStep, ...]
    criteria: tuple[Criterion, ...]
    attachment_max_mb: int = DEFAULT_ATTACHMENT_MAX_MB
    monitoring: MonitoringRules = MonitoringRules()
    submission_precision: str = "minuto"
    lots: LotRules = LotRules()

    @property
    def attachment_max_bytes(self) -> int:
        return self.attachment_max_mb * 1024 * 1024

    # The lookups below are ``cached_property``: the ranking asks them once per mark (hundreds of
    # thousands of times at 5,000 applications), and rebuilding a tuple or scanning the criteria each
    # time was most of its cost. The instance is frozen, so a value computed once stays right; the
    # cache lives in the instance ``__dict__``, outside the dataclass fields, so equality, hashing,
    # ``replace`` and ``to_mapping`` ignore it. Duplicate codes (refused by ``bando_from_mapping``, but
    # possible in a hand-built Bando) resolve to the first one, as the former linear scans did.

    @cached_property
    def subcriteria(self) -> tuple[SubCriterion, ...]:
        return tuple(s for c in self.criteria for s in c.subcriteria)

    @cached_property
    def subcriteria_by_code(self) -> Mapping[str, SubCriterion]:
        """``code → SubCriterion`` for every sub-criterion of every criterion."""
        found: dict[str, SubCriterion] = {}
        for s in self.subcriteria:
            found.setdefault(s.code, s)
        return found

    @cached_property
    def criterion_by_sub_code(self) -> Mapping[str, Criterion]:
        """``sub-criterion code → the criterion it belongs to``."""
        found: dict[str, Criterion] = {}
        for c in self.criteria:
            for s in c.subcriteria:
                found.setdefault(s.code, c)
        return found

    @cached_property
    def scale_values(self) -> frozenset[Decimal]:
        """The values allowed by the scale (``Decimal`` equality: ``0.8`` and ``0.80`` are one value)."""
        return frozenset(step.value for step in self.scale)

    @cached_property
    def criterion_places(self) -> tuple[tuple[str, slice], ...]:
        """Each criterion's code and where its sub-criteria sit among all of them, in the call's order."""
        places, at = [], 0
        for c in self.criteria:
            places.append((c.code, slice(at, at + len(c.subcriteria))))
            at += len(c.subcriteria)
        return tuple(places)

    @cached_property
    def criterion_thresholds(self) -> tuple[tuple[str, Decimal], ...]:
        """``(criterion code, threshold)`` for the criteria that have a threshold, in the call's order."""
        return tuple((c.code, c.threshold) for c in self.criteria if c.threshold is not None)

    @cached_property
    def max_total(self) -> Decimal:
        return sum((c.maximum for c in self.criteria), Decimal(0))

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def criterion_of(self, sub_code: str) -> Criterion:
        return self.criterion_by_sub_code[sub_code]

    def subcriterion(self, code: str) -> SubCriterion:
        return self.subcriteria_by_code[code]

    def scale_label(self, value: Decimal) -> str | None:
        for step in self.scale:
            if step.value == value:
                return step.label
        return None

    def round(self, value: Decimal | Fraction) -> Decimal:
        """The call's rounding rule, applied only where the call says (final sub-criterion points)."""
        if isinstance(value, Fraction):
            exact = Decimal(value.numerator) / Decimal(value.denominator)
            # Decimal division is inexact past 28 digits; rounding at <=6 places is unaffected.
        else:
            exact = value
        return exact.quantize(self._quantum, rounding=ROUNDING_MODES[self.rounding_mode])

    @cached_property
    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.rounding_places)

    @property
    def rounding_description(self) -> str:
        mode = "per eccesso da 5 (half-up)" if self.rounding_mode == "half_up" else "al pari (half-even)"
        return f"{self.rounding_places} decimali, arrotondamento {mode}, sui punti finali di ciascun sottocriterio"

    def to_mapping(self) -> dict[str, Any]:
        """The rules as the TOML layout, with decimals as strings: JSON-safe and reloadable."""
        return {
            "bando": {
                "codice": self.code,
                "titolo": self.title,
                "ente": self.authority,
                "programma": self.programme,
                "azione": self.action,
                "rup": self.rup,
                "cup": self.cup,
                "budget": str(Decimal(self.budget_cents) / 100),
                "contributo_massimo": str(Decimal(self.cap_cents) / 100),
                "cofinanziamento_minimo_percento": str(self.min_cofinancing_percent),
                "scadenza": self.deadline.replace(tzinfo=None).isoformat(),
                "fuso_orario": self.timezone,
                "quorum": self.quorum,
                "soccorso_istruttorio_giorni": self.rescue_days,
                "forme_giuridiche_ammesse": list(self.legal_forms),
                # Written only when set, so the stored rules of every call that keeps the default
                # (and the hashes sealing them) stay byte for byte what they were.
                **(
                    {}
                    if self.attachment_max_mb == DEFAULT_ATTACHMENT_MAX_MB
                    else {"allegato_dimensione_massima_mb": self.attachment_max_mb}
                ),
            },
            "zone": [{"numero": z.number, "nome": z.name, "alias": list(z.aliases)} for z in self.zones],
            "valutazione": {
                "metodo": self.method,
                "passo_punti": str(self.points_step),
                "motivazione_obbligatoria": self.justification_required,
                "soglia_totale": None if self.total_threshold is None else str(self.total_threshold),
                "riparametrazione": self.rescaling,
                "arrotondamento_decimali": self.rounding_places,
                "arrotondamento_modo": self.rounding_mode,
                "spareggio": list(self.tie_chain),
                "precisione_invio": self.submission_precision,
                "regola_finanziamento": self.funding_rule,
                "scarto_avviso": str(self.spread_warning),
                "scala": [{"valore": str(s.value), "etichetta": s.label} for s in self.scale],
                **self.lots.evaluation_mapping(),
            },
            "criteri": [
                {
                    "codice": c.code,
                    "nome": c.name,
                    "massimo": str(c.maximum),
                    "soglia": None if c.threshold is None else str(c.threshold),
                    "confronto_a_coppie": c.pairwise,
                    "sottocriteri": [
                        {"codice": s.code, "descrizione": s.description, "massimo": str(s.maximum)}
                        for s in c.subcriteria
                    ],
                }
                for c in self.criteria
            ],
            "monitoraggio": self.monitoring.to_mapping(),
            **self.lots.to_mapping(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_mapping(), ensure_ascii=False, sort_keys=True)


def load_bando(path: str | Path) -> Bando:
    """Reads and validates a TOML file of rules."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BandoError("(file)", f"impossibile leggere il file: {exc}", str(path)) from exc
    return parse_bando(text, str(path))


def parse_bando(text: str, source: str = "") -> Bando:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BandoError("(sintassi)", f"TOML non valido: {exc}", source) from exc
    return bando_from_mapping(data, source)


def bando_from_json(text: str) -> Bando:
    return bando_from_stored(json.loads(text), "regole nel database")


def bando_from_stored(data: Any, source: str) -> Bando:
    """Rules the program stored itself (the file's copy, an approved version's inputs).

    The only difference from a TOML file: a missing ``precisione_invio`` means the rules were stored
    before the key existed, when submission times were compared to the second.
    """
    return bando_from_mapping(data, source, default_precision=LEGACY_SUBMISSION_PRECISION)


def default_template() -> Path:
    from valutazione.paths import resource

    return resource("bandi", "milano-mi331e.toml")


def bando_from_mapping(data: Any, source: str = "", *, default_precision: str = "minuto") -> Bando:
    """Builds and validates the rules from the TOML layout; raises ``BandoError`` naming the key."""
    root = Reader(data, "", source)
    head = Reader(root.get("bando"), "bando", source)
    evaluation = Reader(root.get("valutazione"), "valutazione", source)

    budget_cents, cap_cents, cofin = _money(head)
    tz_name, deadline = _deadline(head)
    legal_forms = head.table_list("forme_giuridiche_ammesse")
    if not legal_forms or not all(isinstance(f, str) and f.strip() for f in legal_forms):
        raise head.fail("forme_giuridiche_ammesse", "deve essere un elenco non vuoto di testi")

    zones = tuple(parse_zone(z, f"zone[{i}]", source) for i, z in enumerate(root.table_list("zone")))
    if not zones:
        raise root.fail("zone", "serve almeno una zona")
    numbers = [z.number for z in zones]
    if len(set(numbers)) != len(numbers):
        raise root.fail("zone", "numeri di zona ripetuti")

    criteria = tuple(parse_criterion(c, f"criteri[{i}]", source) for i, c in enumerate(root.table_list("criteri")))
    if not criteria:
        raise root.fail("criteri", "serve almeno un criterio")
    codes = [c.code for c in criteria] + [s.code for c in criteria for s in c.subcriteria]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise root.fail("criteri", f"codici ripetuti: {', '.join(duplicates)}")
    max_total = sum((c.maximum for c in criteria), Decimal(0))

    total_threshold = evaluation.optional_decimal("soglia_totale")
    if total_threshold is not None and total_threshold > max_total:
        raise evaluation.fail("soglia_totale", f"supera il punteggio massimo ({max_total})")
    scale = tuple(
        parse_scale_step(s, f"valutazione.scala[{i}]", source) for i, s in enumerate(evaluation.table_list("scala"))
    )
    method = evaluation.choice("metodo", METHODS)
    if method == "coefficienti" and not scale:
        raise evaluation.fail("scala", "il metodo a coefficienti richiede una scala di giudizi")
    values = [s.value for s in scale]
    if len(set(values)) != len(values):
        raise evaluation.fail("scala", "valori ripetuti nella scala")
    tie_chain = _tie_chain(evaluation, criteria, source)
    points_step = evaluation.decimal("passo_punti", "0.5")
    if points_step <= 0:
        raise evaluation.fail("passo_punti", "deve essere maggiore di zero")
    justification = evaluation.get("motivazione_obbligatoria", True)
    if not isinstance(justification, bool):
        raise evaluation.fail("motivazione_obbligatoria", "deve essere true o false")

    bando = Bando(
        code=head.text("codice"),
        title=head.text("titolo"),
        authority=head.text("ente"),
        programme=head.text("programma", ""),
        action=head.text("azione", ""),
        rup=head.text("rup", ""),
        cup=head.text("cup", ""),
        budget_cents=budget_cents,
        cap_cents=cap_cents,
        min_cofinancing_percent=cofin,
        deadline=deadline,
        timezone=tz_name,
        quorum=head.integer("quorum", 1, 50, 3),
        rescue_days=head.integer("soccorso_istruttorio_giorni", 1, 365, 10),
        legal_forms=tuple(legal_forms),
        zones=zones,
        method=method,
        points_step=points_step,
        justification_required=justification,
        total_threshold=total_threshold,
        rescaling=evaluation.choice("riparametrazione", RESCALINGS, "nessuna"),
        rounding_places=evaluation.integer("arrotondamento_decimali", 0, 6, 2),
        rounding_mode=evaluation.choice("arrotondamento_modo", tuple(ROUNDING_MODES), "half_up"),
        tie_chain=tie_chain,
        funding_rule=evaluation.choice("regola_finanziamento", FUNDING_RULES, "parziale"),
        submission_precision=evaluation.choice("precisione_invio", SUBMISSION_PRECISIONS, default_precision),
        spread_warning=evaluation.decimal("scarto_avviso", "0.3"),
        scale=scale,
        criteria=criteria,
        monitoring=parse_monitoring(root.get("monitoraggio", None, allow_none=True), source),
        lots=parse_lot_rules(
            root,
            evaluation,
            budget_cents=budget_cents,
            cap_cents=cap_cents,
            criteria=tuple(c.code for c in criteria),
            source=source,
        ),
        attachment_max_mb=head.integer(
            "allegato_dimensione_massima_mb", 1, MAX_ATTACHMENT_MB, DEFAULT_ATTACHMENT_MAX_MB
        ),
    )
    for reader in (head, evaluation, root):
        reader.check_unknown()
    return bando


def _money(head: Reader) -> tuple[int, int, Decimal]:
    """Budget and cap in cents and the minimum co-financing share, each checked against the others."""
    budget = head.decimal("budget")
    cap = head.decimal("contributo_massimo")
    try:
        budget_cents, cap_cents = to_cents(budget), to_cents(cap)
    except ValueError as exc:
        raise head.fail("budget", str(exc)) from exc
    if cap_cents <= 0:
        raise head.fail("contributo_massimo", "deve essere maggiore di zero")
    if cap_cents > budget_cents:
        raise head.fail("contributo_massimo", "non può superare il budget del bando")
    cofin = head.decimal("cofinanziamento_minimo_percento")
    if cofin > 100:
        raise head.fail("cofinanziamento_minimo_percento", "deve essere una percentuale tra 0 e 100")
    return budget_cents, cap_cents, cofin


def _deadline(head: Reader) -> tuple[str, datetime]:
    """The time zone's name and the submission deadline in it."""
    tz_name = head.text("fuso_orario", "Europe/Rome")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise head.fail("fuso_orario", f"fuso orario sconosciuto: {tz_name}") from exc
    raw_deadline = head.get("scadenza")
    try:
        deadline = raw_deadline if isinstance(raw_deadline, datetime) else datetime.fromisoformat(str(raw_deadline))
    except ValueError as exc:
        raise head.fail("scadenza", f"data e ora non valide: {raw_deadline!r}") from exc
    deadline = deadline.replace(tzinfo=tz) if deadline.tzinfo is None else deadline.astimezone(tz)
    return tz_name, deadline


def _tie_chain(evaluation: Reader, criteria: tuple[Criterion, ...], source: str) -> tuple[str, ...]:
    """The tie-break chain: criterion codes, then optionally the submission time."""
    tie_chain = tuple(evaluation.table_list("spareggio"))
    known = {c.code for c in criteria} | {TIE_SUBMISSION}
    for i, rule in enumerate(tie_chain):
        if not isinstance(rule, str) or rule not in known:
            raise BandoError(
                f"valutazione.spareggio[{i}]",
                f"«{rule}» non è un criterio del bando né «{TIE_SUBMISSION}»",
                source,
            )
    return tie_chain
