"""Decimals typed in a project page (hours, indicator values): their places counted exactly, stored trimmed.

Exactly, because Decimal's context rounds: ``Decimal("1e-999999999").normalize()`` is 0, and so is
``Decimal("1e-999999999") * 4 % 1``, which is how a quarter-hour check once let that value through.
"""

from __future__ import annotations

from decimal import Decimal


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
