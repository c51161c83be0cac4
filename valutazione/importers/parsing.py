"""Reading the values of a submission platform's export: amounts, dates, tax codes, target zones.

Pure functions, no I/O. Each parser either returns a clean value or raises ``ValueError`` with an Italian
reason that the import report shows next to the row number, so a garbage cell can never slip through as
a wrong number. Amounts go from text to ``Decimal`` to integer cents: a float is never involved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale, iva

from valutazione.bando import Zone
from valutazione.money import to_cents

ROME = "Europe/Rome"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^(?:€|euro|eur)|(?:€|euro|eur)$", re.IGNORECASE)
_IT_DECIMAL = re.compile(r"^(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),(?P<frac>[0-9]+)$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")
_DOT_DECIMAL = re.compile(r"^[0-9]+\.[0-9]{1,2}$")
_INTEGER = re.compile(r"^[0-9]+$")
_DATETIME = re.compile(
    r"^(?P<d>[0-9]{1,2})[/.-](?P<m>[0-9]{1,2})[/.-](?P<y>[0-9]{4})"
    r"(?:[ T]+(?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})(?:[:.](?P<S>[0-9]{2}))?)?$"
)
_ZONE_WORDS = frozenset({"zona", "zone", "z", "n", "nr", "numero", "bersaglio", "quartiere"})


def parse_amount(value: object) -> int:
    """An amount in euro, written the Italian way or as a spreadsheet number, as integer cents.

    ``1.234,56`` and ``€ 45.000,00`` are Italian; ``45.000`` is forty-five thousand (dots group thousands),
    ``45000,5`` has a decimal comma. A lone dot followed by one or two digits (``45000.50``) is read as a
    decimal point, as spreadsheets export it. Anything else is refused rather than guessed.
    """
    if value is None:
        raise ValueError("importo mancante")
    if isinstance(value, bool):
        raise ValueError("importo non valido")
    if isinstance(value, int):
        return _non_negative_cents(Decimal(value), str(value))
    if isinstance(value, float | Decimal):
        # A spreadsheet cell: repr() gives the shortest exact text of the float, so no binary noise.
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else value
        except InvalidOperation as exc:
            raise ValueError("importo non valido") from exc
        if not amount.is_finite():
            raise ValueError("importo non valido")
        return _non_negative_cents(amount, str(value))
    if not isinstance(value, str):
        raise ValueError("importo non valido")
    text = _SPACES.sub("", value)
    text = _CURRENCY.sub("", text)
    if not text:
        raise ValueError("importo mancante")
    if text.startswith("-"):
        raise ValueError(f"importo negativo: «{value.strip()}»")
    if (m := _IT_DECIMAL.match(text)) is not None:
        number = f"{m['int'].replace('.', '')}.{m['frac']}"
    elif _THOUSANDS.match(text):
        number = text.replace(".", "")
    elif _DOT_DECIMAL.match(text) or _INTEGER.match(text):
        number = text
    else:
        raise ValueError(f"importo non leggibile: «{value.strip()}»")
    return _non_negative_cents(Decimal(number), value.strip())


MAX_AMOUNT = Decimal(10) ** 12  # no grant call handles a trillion euro: larger figures are typos
MAX_MONTHS = 1200
YEARS = range(1900, 2201)


def _non_negative_cents(amount: Decimal, shown: str) -> int:
    if amount < 0:
        raise ValueError(f"importo negativo: «{shown}»")
    if amount >= MAX_AMOUNT:
        raise ValueError(f"importo fuori scala: «{shown}»")
    try:
        return to_cents(amount)
    except ValueError as exc:
        raise ValueError(f"importo con frazioni di centesimo: «{shown}»") from exc


def parse_datetime(value: object, tz: str = ROME) -> datetime:
    """``dd/mm/yyyy hh:mm`` (also without time, or with seconds) as a timezone-aware local time.

    The platform writes local time without an offset; the call's timezone (Europe/Rome) gives it one,
    so the comparison with the deadline is exact across the daylight-saving change.
    """
    result = _parse_datetime(value, ZoneInfo(tz))
    if result.year not in YEARS:
        raise ValueError(f"data fuori scala: anno {result.year}")
    return result


def _parse_datetime(value: object, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    if not isinstance(value, str):
        raise ValueError("data non valida")
    text = _SPACES.sub(" ", value).strip()
    if not text:
        raise ValueError("data mancante")
    m = _DATETIME.match(text)
    if m is None:
        raise ValueError(f"data non leggibile: «{text}» (atteso gg/mm/aaaa hh:mm)")
    try:
        return datetime(
            int(m["y"]),
            int(m["m"]),
            int(m["d"]),
            int(m["H"] or 0),
            int(m["M"] or 0),
            int(m["S"] or 0),
            tzinfo=zone,
        )
    except ValueError as exc:
        raise ValueError(f"data inesistente: «{text}»") from exc


def parse_duration(value: object) -> int | None:
    """Duration in months: a positive whole number, or None when the cell is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    if not _INTEGER.match(text) or not 0 < int(text) <= MAX_MONTHS:
        raise ValueError(f"durata non valida: «{text}» (numero intero di mesi, al massimo {MAX_MONTHS})")
    return int(text)


def check_tax_code(value: str) -> str:
    """A tax code normalised (no spaces, upper case) and verified, or ``ValueError`` saying why.

    Bodies have an 11-digit code with the same check digit as a VAT number; natural persons have a
    16-character code. python-stdnum does the arithmetic (check digits, birth date, omocodia).
    """
    code = _SPACES.sub("", value).upper()
    if not code:
        raise ValueError("codice fiscale mancante")
    try:
        if len(code) == 16:
            return str(codicefiscale.validate(code))
        if len(code) == 11 and _INTEGER.match(code):
            return str(iva.validate(code))
    except ValidationError as exc:
        raise ValueError(f"codice fiscale «{code}» non valido ({_stdnum_reason(exc)})") from exc
    raise ValueError(
        f"codice fiscale «{code}» non valido (servono 11 cifre per un ente o 16 caratteri per una persona)"
    )


def check_vat_number(value: str) -> str:
    """An Italian VAT number (``IT`` prefix allowed), normalised and verified."""
    code = _SPACES.sub("", value).upper().removeprefix("IT")
    try:
        return str(iva.validate(code))
    except ValidationError as exc:
        raise ValueError(f"partita IVA «{code}» non valida ({_stdnum_reason(exc)})") from exc


def _stdnum_reason(exc: ValidationError) -> str:
    name = type(exc).__name__
    return {
        "InvalidChecksum": "carattere di controllo errato",
        "InvalidLength": "lunghezza errata",
        "InvalidFormat": "formato errato",
        "InvalidComponent": "contiene una parte impossibile, per esempio la data di nascita",
    }.get(name, "non superato il controllo")


def normalise_words(text: str) -> str:
    """Lower case, no accents, dashes and punctuation as spaces.

    ``"Ca' Granda – Niguarda"`` → ``"ca granda niguarda"``: what people type for the same place differs
    in exactly these ways.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class ZoneMatch:
    """The outcome of reading a loosely written target zone: one zone, none, or several (never guessed)."""

    status: Literal["matched", "unknown", "ambiguous"]
    zone: Zone | None
    candidates: tuple[int, ...] = ()


def match_zone(text: str, zones: Iterable[Zone]) -> ZoneMatch:
    """Finds the call's target zone a free-text cell names.

    Accepted: the zone's number (``2``, ``Zona 2``), its full canonical name, or any of its neighbourhoods
    (``corvetto``) in any case, with or without accents and punctuation. Names from different zones make
    the match ambiguous, so the committee decides instead of the importer.
    """
    all_zones = tuple(zones)
    words = normalise_words(text).split()
    if not words:
        return ZoneMatch("unknown", None)
    found: set[int] = set()
    by_number = {z.number: z for z in all_zones}
    remainder = [w for w in words if w not in _ZONE_WORDS]
    if len(remainder) == 1 and remainder[0].isascii() and remainder[0].isdigit():
        found.add(int(remainder[0]))
    for i, word in enumerate(words[:-1]):
        if word in ("zona", "z") and words[i + 1].isascii() and words[i + 1].isdigit():
            found.add(int(words[i + 1]))
    for zone in all_zones:
        if normalise_words(zone.name).split() == words:
            return ZoneMatch("matched", zone, (zone.number,))
        for part in zone.parts:
            if _contains(words, normalise_words(part).split()):
                found.add(zone.number)
    known = sorted(n for n in found if n in by_number)
    if len(known) == 1 and len(found) == 1:
        return ZoneMatch("matched", by_number[known[0]], (known[0],))
    if len(found) > 1:
        return ZoneMatch("ambiguous", None, tuple(sorted(found)))
    return ZoneMatch("unknown", None)


def _contains(words: list[str], part: list[str]) -> bool:
    """True when ``part`` occurs in ``words`` as whole consecutive words."""
    n = len(part)
    return n > 0 and any(words[i : i + n] == part for i in range(len(words) - n + 1))
