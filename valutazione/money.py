"""Money as integer cents, shown the Italian way (``€ 1.128.100,00``).

Floats never appear: amounts are parsed from text to ``Decimal`` and stored as ``int`` cents.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def to_cents(value: Decimal | str | int) -> int:
    """Exact conversion to cents; refuses amounts with fractions of a cent."""
    amount = Decimal(value) if not isinstance(value, Decimal) else value
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"importo con frazioni di centesimo: {value}")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def group_thousands(integer_part: str) -> str:
    """``1234567`` → ``1.234.567`` (the Italian thousands separator)."""
    groups: list[str] = []
    while len(integer_part) > 3:
        groups.insert(0, integer_part[-3:])
        integer_part = integer_part[:-3]
    groups.insert(0, integer_part)
    return ".".join(groups)


PLAIN_DIGITS = 21  # beyond this many digits either side of the units, a number is written with its exponent


def spelled(value: Decimal) -> str:
    """``format(value, "f")``, but with the exponent (``1E+999999999``) for a number beyond ``PLAIN_DIGITS``.

    ``Decimal("1e999999999")`` is eleven characters of a file or a field, and a gigabyte written out in full
    (seconds and two gigabytes of memory, for one cell): whatever reads outside data and shows it uses this.
    """
    if value.is_finite() and value and abs(value.adjusted()) > PLAIN_DIGITS:
        return format(value, "E")
    return format(value, "f")


def plain_it(value: Decimal) -> str:
    """A decimal the Italian way without trailing zeros (12,5; 40)."""
    if value.is_finite() and value and abs(value.adjusted()) > PLAIN_DIGITS:
        return spelled(value).replace(".", ",")
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.replace(".", ",")


def format_decimal_it(value: Decimal, places: int = 2, thousands: bool = True) -> str:
    """``Decimal('1234.5')`` → ``1.234,50``; half-up at ``places`` (display only)."""
    q = Decimal(1).scaleb(-places)
    text = f"{abs(value.quantize(q, rounding=ROUND_HALF_UP)):f}"
    whole, _, frac = text.partition(".")
    if thousands:
        whole = group_thousands(whole)
    sign = "-" if value < 0 and value.quantize(q, rounding=ROUND_HALF_UP) != 0 else ""
    return f"{sign}{whole},{frac}" if places else f"{sign}{whole}"


def format_euro(cents: int) -> str:
    """``112810000`` → ``€ 1.128.100,00``."""
    return f"€ {format_decimal_it(from_cents(cents))}"


def parse_decimal(text: str) -> Decimal:
    """Reads a plain decimal written with either a comma or a dot as decimal separator."""
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"numero non leggibile: {text!r}") from exc
