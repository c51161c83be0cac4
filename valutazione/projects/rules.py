"""The call's monitoring rules: the expected-impact indicators and when a support plan is behind.

They live in the call file's ``[monitoraggio]`` table beside the scoring rules, so that the indicators a
project reports on are the ones the call announced, not ones chosen afterwards. Parsed here rather than in
``bando.py`` because they matter only after the ranking; ``bando.py`` calls ``parse_monitoring``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from valutazione.errors import BandoError

UNITS = ("numero", "persone", "percentuale")
AGGREGATIONS = ("somma", "media")
DEFAULT_TOLERANCE = Decimal(25)


@dataclass(frozen=True)
class Indicator:
    """One expected impact (*ricaduta*): reported per project, summed or averaged per zone and call."""

    code: str
    name: str
    unit: str
    aggregation: str

    def to_mapping(self) -> dict[str, str]:
        return {"codice": self.code, "nome": self.name, "unita": self.unit, "aggregazione": self.aggregation}


@dataclass(frozen=True)
class MonitoringRules:
    """``tolerance_percent``: how far (in % of the hours due by today) support may lag before a warning."""

    indicators: tuple[Indicator, ...] = ()
    tolerance_percent: Decimal = DEFAULT_TOLERANCE

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def to_mapping(self) -> dict[str, Any]:
        return {
            "tolleranza_ritardo_percento": str(self.tolerance_percent),
            "indicatori": [i.to_mapping() for i in self.indicators],
        }


def _text(data: dict[str, Any], key: str, where: str, source: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BandoError(f"{where}.{key}", "deve essere un testo non vuoto", source)
    return value.strip()


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...], default: str, where: str, source: str) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise BandoError(f"{where}.{key}", f"valori possibili: {', '.join(choices)}", source)
    return str(value)


def _indicator(data: Any, where: str, source: str) -> Indicator:
    if not isinstance(data, dict):
        raise BandoError(where, "deve essere una tabella", source)
    unknown = set(data) - {"codice", "nome", "unita", "aggregazione"}
    if unknown:
        raise BandoError(f"{where}.{sorted(unknown)[0]}", "chiave sconosciuta (errore di battitura?)", source)
    unit = _choice(data, "unita", UNITS, "numero", where, source)
    default_aggregation = "media" if unit == "percentuale" else "somma"
    return Indicator(
        code=_text(data, "codice", where, source),
        name=_text(data, "nome", where, source),
        unit=unit,
        aggregation=_choice(data, "aggregazione", AGGREGATIONS, default_aggregation, where, source),
    )


def parse_monitoring(data: Any, source: str = "") -> MonitoringRules:
    """The ``[monitoraggio]`` table (optional: a call without it has no indicators)."""
    if data is None:
        return MonitoringRules()
    if not isinstance(data, dict):
        raise BandoError("monitoraggio", "deve essere una tabella", source)
    unknown = set(data) - {"indicatori", "tolleranza_ritardo_percento"}
    if unknown:
        raise BandoError(f"monitoraggio.{sorted(unknown)[0]}", "chiave sconosciuta (errore di battitura?)", source)
    raw = data.get("indicatori", [])
    if not isinstance(raw, list):
        raise BandoError("monitoraggio.indicatori", "deve essere un elenco", source)
    indicators = tuple(_indicator(item, f"monitoraggio.indicatori[{i}]", source) for i, item in enumerate(raw))
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise BandoError("monitoraggio.indicatori", "codici di indicatore ripetuti", source)
    try:
        tolerance = Decimal(str(data.get("tolleranza_ritardo_percento", DEFAULT_TOLERANCE)))
    except InvalidOperation as exc:
        raise BandoError("monitoraggio.tolleranza_ritardo_percento", "deve essere un numero", source) from exc
    if not tolerance.is_finite() or not 0 <= tolerance <= 100:
        raise BandoError("monitoraggio.tolleranza_ritardo_percento", "deve essere una percentuale tra 0 e 100", source)
    return MonitoringRules(indicators=indicators, tolerance_percent=tolerance)
