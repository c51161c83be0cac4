"""The call's grid and places: criteria with their sub-criteria and thresholds, the scale of judgements,
the zones. Parsed here, apart from ``bando``, so the call's head and its grid stay readable files.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from valutazione.bando_reader import Reader

PAIRWISE_AGGREGATIONS = ("somma", "media")


@dataclass(frozen=True)
class SubCriterion:
    code: str
    description: str
    maximum: Decimal


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    maximum: Decimal
    threshold: Decimal | None
    subcriteria: tuple[SubCriterion, ...]
    pairwise: str | None = None  # None, or the aggregation variant: "somma" (i) or "media" (ii)


@dataclass(frozen=True)
class ScaleStep:
    value: Decimal
    label: str


@dataclass(frozen=True)
class Zone:
    number: int
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        """The neighbourhoods the zone is made of, as the council's name lists them."""
        pieces: list[str] = []
        for chunk in self.name.replace("–", ",").replace(" - ", ",").split(","):
            if chunk.strip():
                pieces.append(chunk.strip())
        return tuple(pieces) + self.aliases


def parse_zone(data: Any, prefix: str, source: str) -> Zone:
    r = Reader(data, prefix, source)
    aliases = r.table_list("alias", [])
    zone = Zone(number=r.integer("numero", 1), name=r.text("nome"), aliases=tuple(str(a) for a in aliases))
    r.check_unknown()
    return zone


def parse_scale_step(data: Any, prefix: str, source: str) -> ScaleStep:
    r = Reader(data, prefix, source)
    value = r.decimal("valore")
    if value > 1:
        raise r.fail("valore", "un coefficiente va da 0 a 1")
    step = ScaleStep(value=value, label=r.text("etichetta"))
    r.check_unknown()
    return step


def parse_criterion(data: Any, prefix: str, source: str) -> Criterion:
    r = Reader(data, prefix, source)
    code = r.text("codice")
    maximum = r.decimal("massimo")
    if maximum <= 0:
        raise r.fail("massimo", "deve essere maggiore di zero")
    threshold = r.optional_decimal("soglia")
    if threshold is not None and threshold > maximum:
        raise r.fail("soglia", f"la soglia {threshold} supera il massimo del criterio ({maximum})")
    pairwise = r.get("confronto_a_coppie", None)
    if pairwise is not None and pairwise not in PAIRWISE_AGGREGATIONS:
        raise r.fail("confronto_a_coppie", f"valori possibili: {', '.join(PAIRWISE_AGGREGATIONS)}")
    subs = []
    for i, raw in enumerate(r.table_list("sottocriteri")):
        s = Reader(raw, f"{prefix}.sottocriteri[{i}]", source)
        sub = SubCriterion(code=s.text("codice"), description=s.text("descrizione"), maximum=s.decimal("massimo"))
        if sub.maximum <= 0:
            raise s.fail("massimo", "deve essere maggiore di zero")
        s.check_unknown()
        subs.append(sub)
    if not subs:
        raise r.fail("sottocriteri", "serve almeno un sottocriterio")
    total = sum((s.maximum for s in subs), Decimal(0))
    if total != maximum:
        raise r.fail("massimo", f"la somma dei massimi dei sottocriteri è {total}, non {maximum}")
    criterion = Criterion(code, r.text("nome"), maximum, threshold, tuple(subs), pairwise)
    r.check_unknown()
    return criterion
