"""«Stato di avanzamento» and the monitoring export, built from a real file and read back."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.valutazione.projects.conftest import CHAIR, final_ranking_file, funded  # noqa: F401
from tests.valutazione.reports.pdftools import assert_all_embedded, pages_of, text_of
from valutazione.cli import main
from valutazione.db import Database
from valutazione.exports.documents import export
from valutazione.projects import agreements, impacts, payments, support
from valutazione.projects.states import REVOKED
from valutazione.reports.avanzamento import build_avanzamento_pdf
from valutazione.services import ranking

START, END = date(2018, 7, 1), date(2019, 6, 30)
TODAY = date(2018, 12, 31)


@pytest.fixture
def progressed(funded: Database) -> Database:  # noqa: F811
    """Three agreements, advances, a support plan with one project behind, indicators, one revocation."""
    with funded.sessions.begin() as s:
        for protocol, cents in (("PG 138/2018", 2_090_900), ("PG 133/2018", 3_842_400), ("PG 123/2018", 4_835_800)):
            agreements.sign(s, CHAIR, protocol, signed_on=START, amount_cents=cents, start_on=START, end_on=END, cup="")
        agreements.redetermine(s, CHAIR, "PG 133/2018", 3_500_000, "Spese di personale non ammissibili")
        payments.record(s, CHAIR, "PG 138/2018", "anticipo", date(2018, 7, 10), 800_000, "DD 12/2018")
        payments.record(s, CHAIR, "PG 133/2018", "anticipo", date(2018, 7, 12), 1_000_000, "DD 13/2018")
        payments.record(s, CHAIR, "PG 123/2018", "anticipo", date(2018, 7, 15), 500_000, "DD 14/2018")
        support.plan_phase(s, CHAIR, "PG 138/2018", "Prototipazione", Decimal(40), "Fondazione Innovazione")
        support.log_session(s, CHAIR, "PG 138/2018", "Prototipazione", date(2018, 7, 20), Decimal(3), "Avvio")
        support.plan_phase(s, CHAIR, "PG 133/2018", "Sviluppo", Decimal(10), "Politecnico")
        support.log_session(s, CHAIR, "PG 133/2018", "Sviluppo", date(2018, 9, 1), Decimal(6), "Modello")
        for protocol, base, target, value in (("PG 138/2018", 0, 120, 45), ("PG 133/2018", 10, 200, 80)):
            impacts.set_target(s, CHAIR, protocol, "I2", Decimal(base), Decimal(target))
            impacts.report_value(s, CHAIR, protocol, "I2", date(2018, 12, 1), Decimal(value))
        agreements.close(s, CHAIR, "PG 123/2018", REVOKED, date(2018, 10, 1), "Mancato avvio delle attività")
        ranking.slide(s, CHAIR, "Scorrimento dopo la revoca di PG 123/2018")
    return funded


def test_report_shows_the_four_figures_projects_and_indicators(progressed: Database, tmp_path: Path) -> None:
    """The PDF carries the computed figures, each project's agreement, payments, hours and the indicators."""
    with progressed.sessions() as s:
        pdf = build_avanzamento_pdf(s, TODAY)
    assert_all_embedded(pdf, tmp_path)
    text = " ".join(text_of(pdf).split())
    assert "Stato di avanzamento dei progetti finanziati" in text
    assert "€ 1.128.100,00" in text  # programmato
    assert "€ 35.000,00" in text and "Spese di personale non ammissibili" in text  # re-determined agreement
    assert "€ 23.000,00" in text  # erogato: 8.000 + 10.000 + 5.000
    assert "DD 12/2018" in text and "anticipo" in text
    assert "Convenzione revocata" in text and "Mancato avvio delle attività" in text
    assert "3 / 40 in ritardo" in text  # PG 138: 3 of 40 hours by December
    assert "Persone raggiunte dal servizio" in text and "Intero bando" in text
    assert "320" in text and "125" in text  # I2 target and current, summed over the two projects
    assert "ANOMALIA" not in text
    assert pages_of(pdf) >= 3
    (tmp_path / "avanzamento.pdf").write_bytes(pdf)


def test_monitoring_export_xlsx_and_csv_one_row_per_project(progressed: Database, tmp_path: Path) -> None:
    """The export has one row per project with the figures, dates, CUP, hours and indicators, then the total."""
    path = Path(progressed.path)
    out = tmp_path / "monitoraggio.xlsx"
    assert main(["export", str(path), "--what", "avanzamento", "--format", "xlsx", "-o", str(out)]) == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    by_protocol = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_protocol["PG 133/2018"]["Giuridicamente vincolante"] == 35000
    assert by_protocol["PG 133/2018"]["Erogato"] == 10000
    assert by_protocol["PG 133/2018"]["Data convenzione"] == "01/07/2018"
    assert by_protocol["PG 133/2018"]["I2 obiettivo"] == 200 and by_protocol["PG 133/2018"]["I2 attuale"] == 80
    assert by_protocol["PG 138/2018"]["Ore affiancamento piano"] == 40
    assert by_protocol["PG 123/2018"]["Stato"] == "revocato"
    assert by_protocol["Totale"]["Programmato"] == 1128100
    assert by_protocol["Totale"]["Erogato"] == 23000
    with progressed.sessions() as s:
        data = export(s, "avanzamento", "csv")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:5] == ["Protocollo", "Beneficiario", "Titolo progetto", "Zona", "Stato"]
    assert len(lines) == len(rows)
    row = next(r for r in lines if r[0] == "PG 133/2018")
    assert row[7] == "35000,00" and row[8] == "10000,00"


def test_a_note_longer_than_a_page_is_shortened_not_fatal(funded: Database) -> None:  # noqa: F811
    """A payment's note or a phase's name taller than a page is shortened with «…»: the report still prints."""
    long_note = "Liquidazione della prima quota " * 800  # about 25,000 characters, typed or pasted in a field
    with funded.sessions.begin() as s:
        agreements.sign(s, CHAIR, "PG 138/2018", signed_on=START, amount_cents=2_090_900, start_on=START, end_on=END)
        payments.record(s, CHAIR, "PG 138/2018", "anticipo", date(2018, 7, 10), 800_000, "DD 12/2018", long_note)
        support.plan_phase(s, CHAIR, "PG 138/2018", "Fase " * 3000, Decimal(40), "Fondazione Innovazione")
    with funded.sessions() as s:
        pdf = build_avanzamento_pdf(s, TODAY)
    text = " ".join(text_of(pdf).split())
    assert "Liquidazione della prima quota" in text and "…" in text
    assert "DD 12/2018" in text and "Fondazione Innovazione" in text


def test_a_revoked_agreement_is_not_shown_as_binding_its_amount(progressed: Database) -> None:
    """PG 123/2018, revoked after € 5.000 paid on € 48.358: its section binds € 5.000, not the agreement's amount."""
    with progressed.sessions() as s:
        text = " ".join(text_of(build_avanzamento_pdf(s, TODAY)).split())
    assert "Importo vincolante € 48.358,00" not in text
    assert "Importo della convenzione € 48.358,00" in text
    assert "Vincolante dopo la chiusura € 5.000,00 (erogato non ancora recuperato)" in text
    assert "Importo vincolante € 20.909,00" in text  # an active agreement keeps its label
