"""The ranking PDFs, read back: engine's numbers, funding line, parameters, page counts, privacy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.valutazione.reports.pdftools import assert_all_embedded, pages_of, text_of
from tests.valutazione.reports.synth import ranking
from valutazione.bando import Bando
from valutazione.money import format_decimal_it, format_euro
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import from_ranking


def test_internal_ranking_shows_engine_numbers_and_parameters(milano: Bando, tmp_path: Path) -> None:
    """Internal ranking: every criterion, total and grant equal the engine's; parameters and fingerprint printed."""
    g = ranking(milano, 30)
    pdf = build_graduatoria_pdf(from_ranking(g), milano)
    text = text_of(pdf)
    for r in g.rows:
        assert r.protocol in text
        if r.status == "esclusa":
            continue  # excluded on formal grounds: no merit points are printed
        assert format_decimal_it(r.total_final) in text
        for _, value in r.criteria_final:
            assert format_decimal_it(value) in text
        if r.grant_cents:
            assert format_euro(r.grant_cents) in text
    for needle in (
        "Parametri applicati",
        "Soglie di sbarramento",
        "Riparametrazione",
        "Arrotondamento",
        "Spareggio",
        "Regola di finanziamento",
        "NON APPROVATA",
        g.fingerprint(),
        format_euro(g.budget_cents),
        format_euro(g.allocated_cents),
        "Pagina 1 di",
    ):
        assert needle in text, needle
    assert_all_embedded(pdf, tmp_path)


def test_funding_line_is_drawn_where_money_runs_out(milano: Bando) -> None:
    """The funding line row appears right after the last funded application."""
    g = ranking(milano, 60)
    assert 0 < g.funding_line < len(g.rows)
    text = text_of(build_graduatoria_pdf(from_ranking(g), milano))
    last_funded, first_out = g.rows[g.funding_line - 1], g.rows[g.funding_line]
    line = text.index("LINEA DI FINANZIAMENTO")
    assert text.index(last_funded.protocol) < line < text.index(first_out.protocol)


@pytest.mark.parametrize(("n", "low", "high"), [(30, 2, 5), (1000, 30, 80)])
def test_page_count_is_sane(milano: Bando, n: int, low: int, high: int) -> None:
    """30 applications fit in a few pages, 1,000 in tens of pages, and the public list in fewer still."""
    view = from_ranking(ranking(milano, n))
    internal = pages_of(build_graduatoria_pdf(view, milano))
    public = pages_of(build_graduatoria_pubblica_pdf(view, milano))
    assert low <= internal <= high
    assert 1 <= public <= high


def test_public_ranking_has_only_published_columns(milano: Bando, tmp_path: Path) -> None:
    """Public ranking: body, tax code, title, score, grant, outcome; no members, no criteria marks."""
    g = ranking(milano, 30)
    pdf = build_graduatoria_pubblica_pdf(from_ranking(g), milano)
    text = text_of(pdf)
    for r in g.rows:
        assert r.applicant.split(" n. ")[0] in text and r.tax_code in text
    for member in ("Fumagalli", "Brambilla", "Colombo"):
        assert member not in text
    assert "grezzo" not in text and "(max 35)" not in text
    assert_all_embedded(pdf, tmp_path)
