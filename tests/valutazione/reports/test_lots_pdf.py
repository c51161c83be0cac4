"""The ranking PDFs of a call divided into lots: a section per lot, the summary of unused money, the lot in
the public ranking; a single-budget call's document has none of it."""

from __future__ import annotations

from tests.valutazione.reports.pdftools import text_of
from tests.valutazione.reports.synth import ranking
from tests.valutazione.test_bandi_examples import call, scored
from valutazione.bando import Bando
from valutazione.exports.tables import public_sheet, ranking_sheet
from valutazione.ranking import build_ranking
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import RankingView, from_ranking


def quartieri_view() -> tuple[Bando, RankingView]:
    bando = call("quartieri-connessi.toml")
    pool = [
        scored("Q01", "L1", "0.9", 50_000, 1, tax_code="97001120159"),
        scored("Q05", "L1", "0.5", 50_000, 5, tax_code="97001030150"),
        scored("Q06", "L2", "0.9", 50_000, 6, tax_code="97001120159"),
        scored("Q07", "L2", "0.8", 50_000, 7, tax_code="97001040159"),
        scored("Q12", "L3", "0.8", 30_000, 12, tax_code="97001090154", properties=frozenset({"giovani"})),
    ]
    return bando, from_ranking(build_ranking(bando, pool))


def test_internal_ranking_has_a_section_per_lot_and_the_residual_summary() -> None:
    """Each lot has its heading and money; the summary states the rule and the pool; notes show quota and limit.

    By hand: L1 grants Q01 50.000 (156.600 left), L2 passes over Q06 (same applicant as Q01) and grants Q07
    50.000 (104.950 left), L3's quota funds Q12 30.000 (124.950 left): pool € 386.500, and no line still
    wants money, so pro rata moves nothing."""
    bando, view = quartieri_view()
    text = text_of(build_graduatoria_pdf(view, bando))
    for needle in (
        "Lotto L1 – Portierato sociale",
        "Lotto L2 – Servizi innovativi di prossimità",
        "Lotto L3 – Impresa e comunità",
        "Quota riservata (usata) € 30.990,00 (€ 30.000,00)",
        "Riepilogo dei lotti e dei residui",
        "Risorse non usate dai lotti dopo le loro graduatorie € 386.500,00",
        "Ridistribuite secondo la regola € 0,00",
        "quota GIOVANI",
        "limite per proponente",
        "Quota riservata GIOVANI 20 % del lotto L3",
        "Domande finanziate per proponente al più 1",
        "QUARTIERI-CONNESSI",
    ):
        assert needle in text, needle
    assert "MI3.3.1.e" not in text


def test_public_ranking_shows_the_lot() -> None:
    """The public ranking's first column is the lot (positions are per lot) and it states the unused money."""
    bando, view = quartieri_view()
    text = text_of(build_graduatoria_pubblica_pdf(view, bando))
    assert "Lotto Pos." in text and "L3 1" in text
    assert "Risorse non usate dai lotti: € 386.500,00, ridistribuite € 0,00" in text
    assert "(limite di domande finanziate per proponente)" in text


def test_single_budget_ranking_has_no_lot_section(milano: Bando) -> None:
    """MI3.3.1.e (no lots) prints no lot heading nor residual summary, and keeps its header line."""
    text = text_of(build_graduatoria_pdf(from_ranking(ranking(milano, 5)), milano))
    assert "Riepilogo dei lotti" not in text and "Lotto " not in text
    assert "Comune di Milano · PON Metro 2014-2020 · MI3.3.1.e" in text


def test_a_lot_extract_and_the_tables_carry_the_lot() -> None:
    """``export --lotto``'s extract holds one lot's rows and money (its own plus what it received); the
    ranking and public sheets (CSV, XLSX, JSON) start with the lot's code."""
    bando, view = quartieri_view()
    extract = view.for_lot("L2")
    assert {r.lot for r in extract.rows} == {"L2"} and [x.code for x in extract.lots] == ["L2"]
    assert (extract.budget_cents, extract.allocated_cents) == (15_495_000, 5_000_000)
    text = text_of(build_graduatoria_pdf(extract, bando))
    assert "Lotto L2 – Servizi innovativi" in text and "Portierato" not in text and "Q01" not in text
    sheet = ranking_sheet(view, bando)
    assert sheet.header[0] == "Lotto" and sheet.header[-1] == "Nota sul finanziamento"
    assert [row[0] for row in sheet.rows][:2] == ["L1", "L2"] and sheet.meta["residui_regola"] == "pro_rata"
    assert public_sheet(view).header[0] == "Lotto"
