"""Fixtures for the importer tests: the demo export, its defects, and ways to rewrite it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from valutazione.db import Database
from valutazione.models import Base

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo"
SAMPLE = DEMO / "domande-esempio.csv"
ALLEGATI = DEMO / "allegati"

# What each defect of domande-esempio.defects.json must become: a flag rule, or a refusal of a field.
DEFECT_OUTCOME = {
    "bad_cf": ("flag", "cf_non_valido"),
    "zone_outside": ("flag", "zona_non_ammessa"),
    "for_profit": ("flag", "forma_giuridica"),
    "over_cap": ("flag", "oltre_massimale"),
    "low_cofin": ("flag", "cofinanziamento_insufficiente"),
    "late": ("flag", "fuori_termine"),
    "missing_amount": ("refuse", "contributo"),
    "duplicate": ("refuse", "protocollo"),
}


def sample_records() -> list[list[str]]:
    """The sample as a list of records, header first."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        return [list(r) for r in csv.reader(fh, delimiter=";")]


def write_csv(path: Path, records: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def expected_defects() -> tuple[set[tuple[int, str, str]], set[tuple[int, str, str]]]:
    """(flags, refusals) the defects file implies, each as (row, protocol, rule-or-field)."""
    flags: set[tuple[int, str, str]] = set()
    refusals: set[tuple[int, str, str]] = set()
    data = json.loads((DEMO / "domande-esempio.defects.json").read_text(encoding="utf-8"))
    for label, entry in data.items():
        protocol = label.split(" (")[0]
        for problem in entry["problems"]:
            kind, code = DEFECT_OUTCOME[problem]
            (flags if kind == "flag" else refusals).add((entry["row"], protocol, code))
    return flags, refusals


def dump(target: Path | Database) -> list[str]:
    """The committed content of a database file, as SQL text (what another reader would see); for an open
    database on the server, every row of every table read on a connection of its own."""
    if isinstance(target, Database):
        if target.server is None:
            return dump(target.path)
        with target.engine.connect() as conn:
            return [
                f"{table.name}: {tuple(row)}"
                for table in Base.metadata.sorted_tables
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
    con = sqlite3.connect(target)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The sample rewritten byte for byte in a temporary folder (so tests may edit it)."""
    target = tmp_path / "domande.csv"
    target.write_bytes(SAMPLE.read_bytes())
    return target
