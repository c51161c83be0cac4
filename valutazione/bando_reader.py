"""Typed, key-naming access to the tables of a call's TOML file.

Kept apart from ``bando`` so that each part of the call (the head, the grid, the lots) can read its own
tables with the same messages: every error names the full dotted key, because the person fixing it is
reading the file, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from valutazione.errors import BandoError


class Reader:
    """Typed access to one TOML table that reports the full dotted key on error."""

    def __init__(self, data: Any, prefix: str, source: str) -> None:
        if not isinstance(data, Mapping):
            raise BandoError(prefix or "(radice)", "deve essere una tabella", source)
        self.data = data
        self.prefix = prefix
        self.source = source
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, message: str) -> BandoError:
        return BandoError(self.key(name), message, self.source)

    def get(self, name: str, default: Any = ..., *, allow_none: bool = False) -> Any:
        self.used.add(name)
        if name not in self.data or (self.data[name] is None and not allow_none):
            if default is ...:
                raise self.fail(name, "manca")
            return default
        return self.data[name]

    def text(self, name: str, default: Any = ...) -> str:
        value = self.get(name, default)
        if not isinstance(value, str) or (default is ... and not value.strip()):
            raise self.fail(name, "deve essere un testo non vuoto")
        return value

    def integer(self, name: str, minimum: int, maximum: int | None = None, default: Any = ...) -> int:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, "deve essere un numero intero")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" e {maximum}" if maximum is not None else ""
            raise self.fail(name, f"deve essere compreso tra {minimum}{upper}" if upper else f"deve essere ≥ {minimum}")
        return value

    def decimal(self, name: str, default: Any = ..., *, minimum: Decimal | None = Decimal(0)) -> Decimal:
        value = self.get(name, default)
        return self.checked_decimal(name, value, minimum)

    def optional_decimal(self, name: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal | None:
        """A number that may be left out (or written as an empty text): ``None`` means "no such limit"."""
        value = self.get(name, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.checked_decimal(name, value, minimum)

    def checked_decimal(self, name: str, value: Any, minimum: Decimal | None) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.fail(name, 'deve essere un numero scritto come testo, per esempio "12.5"')
        try:
            result = Decimal(str(value).replace(",", "."))
        except InvalidOperation as exc:
            raise self.fail(name, f"numero non valido: {value!r}") from exc
        if not result.is_finite():
            raise self.fail(name, "deve essere un numero finito")
        if minimum is not None and result < minimum:
            raise self.fail(name, f"non può essere negativo ({value})" if minimum == 0 else f"deve essere ≥ {minimum}")
        return result

    def choice(self, name: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(name, default)
        if value not in choices:
            raise self.fail(name, f"valore «{value}» non ammesso; valori possibili: {', '.join(choices)}")
        return str(value)

    def table_list(self, name: str, default: Any = ...) -> list[Any]:
        value = self.get(name, default)
        if not isinstance(value, list):
            raise self.fail(name, "deve essere un elenco")
        return value

    def check_unknown(self) -> None:
        for name in self.data:
            if name not in self.used:
                raise self.fail(name, "chiave sconosciuta (errore di battitura?)")
