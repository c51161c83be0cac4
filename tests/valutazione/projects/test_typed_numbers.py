"""Numbers typed for hours and indicators are read the Italian way, and an ambiguous «2.300» is refused."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from valutazione.cli import main
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.projects import impacts
from valutazione.projects.numbers import parse_number
from valutazione.services import lookup

P = "PG 138/2018"


@pytest.mark.parametrize(
    ("typed", "value"),
    [("2300", Decimal(2300)), ("2.300,5", Decimal("2300.5")), ("12,5", Decimal("12.5")), ("12.5", Decimal("12.5"))],
)
def test_numbers_read_the_italian_way(typed: str, value: Decimal) -> None:
    """A comma is the decimal mark and dots group thousands; without a comma a lone dot is a decimal mark."""
    assert parse_number(typed, "Valore") == value


@pytest.mark.parametrize("typed", ["2.300", "1.250.000", " 12.000 "])
def test_thousands_without_a_comma_are_ambiguous_and_refused(typed: str) -> None:
    """«2.300» is 2300 to an Italian reader and was stored as 2.3: refused, naming both readings."""
    with pytest.raises(RuleViolation, match="ambiguo"):
        parse_number(typed, "Valore")


def test_cli_refuses_an_ambiguous_indicator_value(
    final_ranking_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """«indicatori valore --valore 2.300» exits 2 with the Italian message and records nothing; «2300» is 2300."""
    f = tmp_path / "bando.valutazione"
    shutil.copy(final_ranking_file, f)
    assert main(["convenzione", "add", str(f), P, "--data", "01/06/2018"]) == 0
    base = ["indicatori", "valore", str(f), P, "--indicatore", "I2", "--data", "01/12/2018", "--valore"]
    assert main([*base, "2.300"]) == 2
    assert "«2.300» è ambiguo; scrivere 2300" in capsys.readouterr().err
    assert main([*base, "2300"]) == 0
    with opened(f) as db, db.sessions() as s:
        lines = impacts.project_lines(s, lookup.domanda_by_protocol(s, P).id)
    assert next(x.current for x in lines if x.code == "I2") == 2300
