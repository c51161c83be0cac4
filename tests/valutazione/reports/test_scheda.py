"""The evaluation sheet, read back: members' marks and reasons, abstentions, the engine's points."""

from __future__ import annotations

from pathlib import Path

from tests.valutazione.reports.conftest import MEMBERS
from tests.valutazione.reports.pdftools import assert_all_embedded, text_of
from valutazione.db import Database
from valutazione.money import format_decimal_it
from valutazione.reports.scheda import build_schede_pdf
from valutazione.services import ranking as ranking_service


def test_scheda_shows_marks_reasons_and_engine_points(committee_db: Database, tmp_path: Path) -> None:
    """Scheda: each member's coefficient and reason, the collegial points equal to the ranking engine's."""
    with committee_db.sessions() as s:
        pdf = build_schede_pdf(s, ["PG-001"])
        row = ranking_service.compute(s).ranking.row("PG-001")
    text = text_of(pdf)
    for sub in row.subscores:
        assert format_decimal_it(sub.points) in text
        for member in MEMBERS:
            assert f"Giudizio {sub.code} di {member}" in text
    for _code, value in row.criteria_raw:
        assert format_decimal_it(value) in text
    assert format_decimal_it(row.total_raw) in text
    assert "soglia 60,00: raggiunta" in text
    assert_all_embedded(pdf, tmp_path)


def test_member_in_conflict_is_shown_as_abstained(committee_db: Database) -> None:
    """Scheda: a member in conflict of interest appears as «astenuto», never as a zero mark."""
    with committee_db.sessions() as s:
        text = text_of(build_schede_pdf(s, ["PG-002"]))
    assert "astenuto" in text
    assert "Astenuto per conflitto di interessi" in text
