"""The columns a call divided into lots reads: the lot, the project type, the yes/no quota properties.

Like every other admissibility rule, what does not fit is a *flag* for the committee, never a refusal:
a lot missing or unknown (the chair can set it), a request over the lot's or the project type's cap, a
co-financing below the lot's minimum. The same checks run again when the chair changes an application's
lot (``services.lots.set_lot``), so the checklist always matches the lot the application is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from valutazione.bando import Bando
from valutazione.importers.parsing import normalise_words
from valutazione.money import format_decimal_it, format_euro

QUOTA_FIELD = "riserva:"  # column key of a quota property: ``riserva:<property>``
YES = frozenset({"si", "s", "x", "vero", "true", "1", "yes", "y"})
NO = frozenset({"no", "n", "falso", "false", "0", ""})

LOT_RULES = {
    "lotto_mancante": "lotto non indicato o non previsto dal bando",
    "tipo_progetto_sconosciuto": "tipo di progetto non previsto dal bando",
    "oltre_massimale_lotto": "contributo oltre il massimale del lotto",
    "oltre_massimale_tipo": "contributo oltre il massimale del tipo di progetto",
    "cofinanziamento_lotto": "cofinanziamento inferiore al minimo del lotto",
}


@dataclass(frozen=True)
class LotFields:
    lot_code: str | None
    project_type: str | None
    properties: frozenset[str]


def property_columns(headers: tuple[str, ...], bando: Bando) -> dict[str, int]:
    """``riserva:<property>`` → column, for each quota property a header names (as is, or «Riserva …»,
    «Quota …»), case, accents and punctuation ignored."""
    found: dict[str, int] = {}
    normalised = [normalise_words(h) for h in headers]
    for prop in sorted({q.prop for q in bando.lots.quotas}):
        key = normalise_words(prop)
        for wanted in (key, f"riserva {key}", f"quota {key}"):
            if wanted in normalised:
                found[QUOTA_FIELD + prop] = normalised.index(wanted)
                break
    return found


def yes_no(cell: object) -> bool:
    """An Italian yes/no cell: «sì», «si», «x», «vero», «1» are yes; «no», «falso», «0» or empty are no."""
    text = normalise_words("" if cell is None else str(cell))
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"valore «{cell}» non leggibile come sì/no")


def read_lot_fields(
    cells: Mapping[str, object], bando: Bando, flags: dict[str, list[str]]
) -> tuple[LotFields, dict[str, str]]:
    """The lot, type and properties of one row (``cells``: field → cell), with the flags they raise, and
    ``{field: reason}`` for the cells that cannot be read (the row is refused on them)."""
    unreadable: dict[str, str] = {}
    properties: set[str] = set()
    for field, cell in cells.items():
        if field.startswith(QUOTA_FIELD):
            try:
                if yes_no(cell):
                    properties.add(field[len(QUOTA_FIELD) :])
            except ValueError as exc:
                unreadable[field] = str(exc)
    lot_text = " ".join(str(cells.get("lotto") or "").split())
    type_text = " ".join(str(cells.get("tipo_progetto") or "").split())
    lot = bando.lots.find_lot(lot_text) if lot_text else None
    kind = bando.lots.project_type(type_text) if type_text else None
    if bando.lots.lots and lot is None:
        problem = f"lotto «{lot_text}»: non è un lotto del bando" if lot_text else "lotto non indicato"
        flags["lotto_mancante"] = [f"{problem}; il presidente deve indicarlo"]
    if type_text and kind is None:
        flags["tipo_progetto_sconosciuto"] = [f"tipo di progetto «{type_text}»: non previsto dal bando"]
    fields = LotFields(lot.code if lot else None, kind.code if kind else None, frozenset(properties))
    return fields, unreadable


def lot_flags(bando: Bando, fields: LotFields, total: int, grant: int, cofinancing: int) -> dict[str, list[str]]:
    """The caps and co-financing minimum of the application's lot and project type."""
    flags: dict[str, list[str]] = {}
    lot = bando.lots.lot(fields.lot_code) if fields.lot_code else None
    if lot is not None and grant > lot.cap_cents:
        flags["oltre_massimale_lotto"] = [
            f"contributo richiesto {format_euro(grant)}, oltre il massimale del lotto {lot.code} "
            f"({format_euro(lot.cap_cents)})"
        ]
    kind = next((t for t in bando.lots.project_types if t.code == fields.project_type), None)
    if kind is not None and grant > kind.cap_cents:
        flags["oltre_massimale_tipo"] = [
            f"contributo richiesto {format_euro(grant)}, oltre il massimale per «{kind.name}» "
            f"({format_euro(kind.cap_cents)})"
        ]
    minimum = None if lot is None else lot.min_cofinancing_percent
    if lot is not None and minimum is not None and total > 0 and Decimal(cofinancing) * 100 < minimum * total:
        share = format_decimal_it(Decimal(cofinancing) * 100 / total)
        flags["cofinanziamento_lotto"] = [
            f"cofinanziamento pari al {share}% del costo totale, inferiore al minimo del lotto {lot.code} "
            f"({format_decimal_it(minimum, 0 if minimum == minimum.to_integral() else 2)}%)"
        ]
    return flags
