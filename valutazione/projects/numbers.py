"""Decimals typed in a project page (hours, indicator values): read the Italian way, places counted exactly,
stored trimmed.

Exactly, because Decimal's context rounds: ``Decimal("1e-999999999").normalize()`` is 0, and so is
``Decimal("1e-999999999") * 4 % 1``, which is how a quarter-hour check once let that value through.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from valutazione.errors import RuleViolation


def places(value: Decimal) -> int:
    """Decimal places of a finite ``value`` without its trailing zeros (0 for an integer or zero)."""
    _, digits, exponent = value.as_tuple()
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return 0 if zeros == len(digits) else max(0, -(int(exponent) + zeros))


def trimmed(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and never in exponent form: 45.000 → 45, 2E+1 → 20, 2.50 → 2.5.

    For a value already bounded (few places, few digits), so the quantize is exact.
    """
    return value.quantize(Decimal(1).scaleb(-places(value)))


_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def parse_number(text: str, field: str) -> Decimal:
    """A number typed the Italian way (``1.234,5``); ``12.5`` is read as twelve and a half.

    Without a comma, «2.300» is ambiguous: the Italian reading is two thousand three hundred, the
    program's was 2.3, so 2,300 people reached were silently stored as 2.3. It is refused, naming both
    readings, rather than guessed.
    """
    raw = text.strip()
    if _GROUPED.fullmatch(raw):
        raise RuleViolation(
            f"{field}: «{raw}» è ambiguo; scrivere {raw.replace('.', '')} (senza punto delle migliaia) "
            f"oppure {raw.replace('.', ',')} (con la virgola decimale)."
        )
    try:
        value = Decimal(raw.replace(".", "").replace(",", ".") if "," in raw else raw)
    except InvalidOperation as exc:
        raise RuleViolation(f"{field}: numero non leggibile «{text}» (per esempio 12,5).") from exc
    if not value.is_finite():
        raise RuleViolation(f"{field}: numero non leggibile «{text}».")
    return value
