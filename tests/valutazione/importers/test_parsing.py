"""Parsers of exported values: amounts, dates, tax codes, durations, target zones."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.it import codicefiscale

from valutazione.bando import Bando, Zone
from valutazione.importers.parsing import (
    check_tax_code,
    check_vat_number,
    match_zone,
    parse_amount,
    parse_datetime,
    parse_duration,
)
from valutazione.money import format_decimal_it, from_cents, group_thousands


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.234,56", 123456),
        ("€ 45.000,00", 4500000),
        ("45.000,00 €", 4500000),
        ("EUR 10", 1000),
        ("45000", 4500000),
        ("45.000", 4500000),
        ("1.128.100", 112810000),
        ("45000,5", 4500050),
        ("45000.50", 4500050),
        (" 1 234,56 ", 123456),
        ("0", 0),
        ("1,000", 100),
        (45000, 4500000),
        (44504.0, 4450400),
        (Decimal("12.34"), 1234),
    ],
)
def test_amounts_read_the_italian_way(text: object, cents: int) -> None:
    """Italian amounts (dot thousands, comma decimals, euro sign) become exact integer cents."""
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "abc",
        "1,2,3",
        "1.23.4",
        "-5",
        "1,005",
        "45,000.00",
        "1e5",
        "NaN",
        "∞",
        "١٢٣",
        "12.3456",
        True,
        float("nan"),
        0.001,
        "€",
    ],
)
def test_amounts_refuse_garbage(text: object) -> None:
    """Unreadable or impossible amounts raise ValueError instead of becoming a wrong number."""
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.integers(min_value=0, max_value=10**13))
def test_amount_round_trip(cents: int) -> None:
    """Any amount written the Italian way (with or without thousands, with €) reads back to the same cents."""
    value = from_cents(cents)
    assert parse_amount(format_decimal_it(value)) == cents
    assert parse_amount(f"€ {format_decimal_it(value)}") == cents
    assert parse_amount(format_decimal_it(value, thousands=False)) == cents
    if cents % 100 == 0:
        whole = str(cents // 100)
        assert parse_amount(whole) == cents
        assert parse_amount(group_thousands(whole)) == cents


@given(st.one_of(st.text(), st.text(alphabet="0123456789.,€ -eE"), st.floats(), st.integers()))
def test_amount_garbage_raises_only_value_error(text: object) -> None:
    """Whatever the cell holds, the parser returns non-negative cents or raises ValueError, nothing else."""
    try:
        cents = parse_amount(text)
    except ValueError:
        return
    assert isinstance(cents, int) and cents >= 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/02/2018 12:07", datetime(2018, 2, 17, 12, 7)),
        ("01/03/2018", datetime(2018, 3, 1)),
        ("01/03/2018 12:00:30", datetime(2018, 3, 1, 12, 0, 30)),
        ("1/3/2018 9:05", datetime(2018, 3, 1, 9, 5)),
        (datetime(2018, 2, 1, 9, 47), datetime(2018, 2, 1, 9, 47)),
    ],
)
def test_dates_are_local_rome_time(text: object, expected: datetime) -> None:
    """dd/mm/yyyy [hh:mm[:ss]] is read as Europe/Rome wall-clock time, timezone-aware."""
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None and parsed.replace(tzinfo=None) == expected
    assert str(parsed.tzinfo) == "Europe/Rome"


def test_dates_follow_daylight_saving() -> None:
    """The offset from UTC is the one in force on that day (CET in winter, CEST in summer)."""
    assert parse_datetime("01/03/2018 12:00").utcoffset() == timedelta(hours=1)
    assert parse_datetime("01/07/2018 12:00").utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "text", ["", "31/02/2018 10:00", "2018-02-17 12:07", "17/02/18", "17/02/2018 25:00", "domani", None, 42]
)
def test_dates_refuse_garbage(text: object) -> None:
    """Impossible or unrecognised dates are refused with ValueError."""
    with pytest.raises(ValueError):
        parse_datetime(text)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))
def test_date_round_trip(moment: datetime) -> None:
    """A date written dd/mm/yyyy hh:mm(:ss) reads back to the same wall-clock time."""
    moment = moment.replace(microsecond=0)
    assert parse_datetime(moment.strftime("%d/%m/%Y %H:%M:%S")).replace(tzinfo=None) == moment
    assert parse_datetime(moment.strftime("%d/%m/%Y %H:%M")).replace(tzinfo=None) == moment.replace(second=0)


@given(st.text())
def test_date_garbage_raises_only_value_error(text: str) -> None:
    """Random text gives a datetime or ValueError, never another exception."""
    try:
        parse_datetime(text)
    except ValueError:
        pass


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("88833000156", "88833000156"),
        (" 888 330 00156 ", "88833000156"),
        ("RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("rssmra 85t10 a562s", "RSSMRA85T10A562S"),
    ],
)
def test_valid_tax_codes_are_normalised(text: str, normal: str) -> None:
    """Valid codes (11 digits for bodies, 16 characters for persons) come back without spaces, upper case."""
    assert check_tax_code(text) == normal


@pytest.mark.parametrize("text", ["02003560155", "RSSMRA85T10A562X", "123", "", "RSSMRA85T99A562S", "ABCDEFGHIJK"])
def test_invalid_tax_codes_are_refused(text: str) -> None:
    """Wrong check digit, length or birth date make the tax code invalid."""
    with pytest.raises(ValueError):
        check_tax_code(text)


def test_vat_number_accepts_it_prefix() -> None:
    """A VAT number may carry the IT country prefix; its check digit is still verified."""
    assert check_vat_number("IT 88833000156") == "88833000156"
    with pytest.raises(ValueError):
        check_vat_number("IT02003560155")


@given(st.integers(1, 9_999_999), st.integers(1, 100), st.integers(1, 9))
def test_body_tax_code_check_digit(serial: int, office: int, shift: int) -> None:
    """Every correctly computed 11-digit code is valid; changing its check digit makes it invalid."""
    stem = f"{serial:07d}{office:03d}"
    check = luhn.calc_check_digit(stem)
    assert check_tax_code(stem + check) == stem + check
    with pytest.raises(ValueError):
        check_tax_code(stem + str((int(check) + shift) % 10))


@given(
    st.text(alphabet="BCDFGLMNPRSTVZ", min_size=6, max_size=6),
    st.integers(0, 99),
    st.sampled_from("ABCDEHLMPRST"),
    st.integers(1, 28),
    st.booleans(),
    st.sampled_from("ABCDEFGHLMZ"),
    st.integers(1, 999),
)
def test_person_tax_code_round_trip(
    letters: str, year: int, month: str, day: int, female: bool, place: str, town: int
) -> None:
    """A well-formed 16-character code is valid whatever its case and spacing, and comes back normalised."""
    stem = f"{letters}{year:02d}{month}{day + (40 if female else 0):02d}{place}{town:03d}"
    code = stem + codicefiscale.calc_check_digit(stem)
    assert check_tax_code(f" {code[:6].lower()} {code[6:11]} {code[11:].lower()}") == code


@given(st.text())
def test_tax_code_garbage_raises_only_value_error(text: str) -> None:
    """Random text is either a valid code or a ValueError, never another exception."""
    try:
        check_tax_code(text)
    except ValueError:
        pass


@pytest.mark.parametrize(("text", "months"), [("24", 24), ("", None), (None, None), (18, 18), (12.0, 12)])
def test_duration_in_months(text: object, months: int | None) -> None:
    """Duration is a positive whole number of months, or absent."""
    assert parse_duration(text) == months


@pytest.mark.parametrize("text", ["0", "-3", "dodici", "1,5", 2.5])
def test_duration_refuses_non_positive_or_fractional(text: object) -> None:
    """A duration that is not a positive integer cannot be stored (the schema forbids it)."""
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("corvetto", 2),
        ("CORVETTO", 2),
        ("Lodi – Corvetto, Rogoredo – Santa Giulia", 2),
        ("Lodi - Corvetto, Rogoredo - Santa Giulia", 2),
        ("Zona 2", 2),
        ("zona bersaglio n. 2", 2),
        ("2", 2),
        ("Zona 2 - Corvetto", 2),
        ("lorenteggio/giambellino", 1),
        ("Ca Granda", 4),
        ("Cà Granda", 4),
        ("san siro", 3),
        ("Niguarda – Ca' Granda – Prato Centenaro – Fulvio Testi, Bovisa, Dergano, Affori, Bruzzano, Parco Nord", 4),
    ],
)
def test_zone_matched_loosely(milano: Bando, text: str, number: int) -> None:
    """Zones are recognised by number, full name or any neighbourhood, whatever the case, accents or dashes."""
    match = match_zone(text, milano.zones)
    assert match.status == "matched" and match.zone is not None and match.zone.number == number


@pytest.mark.parametrize("text", ["Brera", "", "Zona 9", "Santa", "sansiro"])
def test_zone_unknown(milano: Bando, text: str) -> None:
    """A place outside every target zone is unknown (flagged), never guessed."""
    assert match_zone(text, milano.zones).status == "unknown"


@pytest.mark.parametrize("text", ["Corvetto e San Siro", "Zona 1 - Corvetto", "Giambellino, Bovisa"])
def test_zone_ambiguous_across_zones(milano: Bando, text: str) -> None:
    """Names of different zones in one cell make the zone ambiguous, for the committee to decide."""
    match = match_zone(text, milano.zones)
    assert match.status == "ambiguous" and match.zone is None and len(match.candidates) == 2


def test_zone_ambiguous_when_alias_shared(milano: Bando) -> None:
    """A neighbourhood listed under two zones of a call matches both, so it is ambiguous."""
    zones = (*milano.zones, Zone(5, "Sud-Est", aliases=("Corvetto",)))
    assert match_zone("Corvetto", zones).candidates == (2, 5)
