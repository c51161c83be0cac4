"""Long text never fails a document: a 3,000- or 100,000-character name wraps or is cut with «…»."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.valutazione.reports.pdftools import assert_all_embedded, pages_of, text_of
from tests.valutazione.reports.synth import ranking
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Domanda
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import RankingView, from_ranking
from valutazione.reports.rows_table import TEXT, RowsTable
from valutazione.reports.scheda import build_schede_pdf
from valutazione.reports.textfit import ELLIPSIS, wrap_lines
from valutazione.reports.verbale import build_verbale_pdf


def grouping_name(length: int) -> str:
    """A temporary grouping of partners (ATS) whose name lists every member: realistic long text."""
    words: list[str] = ["ATS"]
    i = 0
    while sum(len(w) + 1 for w in words) < length:
        i += 1
        words.append(f"Associazione Partner Numero {i} APS,")
    return " ".join(words)[:length]


def _long_view(milano: Bando, length: int, title_length: int = 0) -> RankingView:
    view = from_ranking(ranking(milano, 12))
    rows = list(view.rows)
    for i in (0, len(rows) - 1):  # one ranked, one excluded/not admitted: every table gets one
        title = grouping_name(title_length) if title_length else rows[i].title
        rows[i] = replace(rows[i], applicant=grouping_name(length), title=title)
    return replace(view, rows=tuple(rows))


@pytest.mark.parametrize("length", [3_000, 100_000])
def test_ranking_pdfs_survive_a_very_long_name(milano: Bando, tmp_path: Path, length: int) -> None:
    """Ranking PDFs (internal and public): a 3,000/100,000-character name is shortened, never a LayoutError."""
    view = _long_view(milano, length, title_length=length)
    for build in (lambda: build_graduatoria_pdf(view, milano), lambda: build_graduatoria_pubblica_pdf(view, milano)):
        pdf = build()
        text = text_of(pdf)
        assert "ATS Associazione Partner Numero 1 APS" in text
        assert ELLIPSIS in text
        assert "Numero 80 APS" not in text, "il nome lunghissimo non è stato accorciato"
        assert pages_of(pdf) < 10
        assert_all_embedded(pdf, tmp_path)


def test_long_name_of_moderate_length_wraps_whole(milano: Bando) -> None:
    """A name that fits in a few lines is wrapped whole, never cut: shortening is only for huge text."""
    view = _long_view(milano, 180)
    text = text_of(build_graduatoria_pdf(view, milano))
    assert " ".join(grouping_name(180).split()) in text


@pytest.mark.parametrize("length", [3_000, 100_000])
def test_scheda_survives_a_very_long_name(committee_db: Database, tmp_path: Path, length: int) -> None:
    """Scheda: a 100,000-character applicant name and title are shortened with «…», the sheet is built."""
    with committee_db.sessions.begin() as s:
        s.execute(
            update(Domanda)
            .where(Domanda.protocol == "PG-001")
            .values(applicant=grouping_name(length), title=grouping_name(length))
        )
    with committee_db.sessions() as s:
        pdf = build_schede_pdf(s, ["PG-001"])
    text = text_of(pdf)
    assert "ATS Associazione Partner Numero 1 APS" in text and ELLIPSIS in text
    assert "Giudizio" in text, "le motivazioni devono restare nella scheda"
    assert pages_of(pdf) < 10
    assert_all_embedded(pdf, tmp_path)


def test_verbale_survives_a_very_long_name(committee_db: Database) -> None:
    """Verbale: a 100,000-character applicant name in the ranking and the decisions does not fail the minutes."""
    with committee_db.sessions.begin() as s:
        s.execute(update(Domanda).where(Domanda.protocol == "PG-001").values(applicant=grouping_name(100_000)))
    with committee_db.sessions() as s:
        pdf = build_verbale_pdf(s, 1)
    assert "Verbale della seduta n. 1" in text_of(pdf)


def test_rows_table_caps_a_cell_and_marks_the_cut() -> None:
    """RowsTable: a cell's lines are capped and the last kept line ends with «…»; a row fits a page."""
    table = RowsTable(["Nome"], [[grouping_name(100_000)]], [200.0], ["left"])
    assert table.height < 400
    assert [t for t, _ in wrap_lines("Associazione APS", TEXT.font, TEXT.size, 1000.0, max_lines=1)] == [
        "Associazione APS"
    ]
    lines = wrap_lines(grouping_name(3_000), TEXT.font, TEXT.size, 100.0, max_lines=3)
    assert len(lines) == 3 and lines[-1][0].endswith(ELLIPSIS)
