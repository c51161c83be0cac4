"""New-call wizard: template rules shown and editable, validated by the core, file created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.ui.chair.conftest import shoot
from ui.chair.bando_wizard import BandoWizard
from valutazione.bando import Bando
from valutazione.db import open_database


def _next(qtbot: Any, wizard: BandoWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_wizard_creates_milan_call(qtbot: Any, tmp_path: Path, milano: Bando) -> None:
    """The Milan template, unchanged, creates a file whose rules equal the template's."""
    wizard = BandoWizard(actor="Laura Fumagalli")
    qtbot.addWidget(wizard)
    wizard.show()
    target = tmp_path / "nuovo.valutazione"
    qtbot.keyClicks(wizard.start.path, str(target))
    shoot(wizard, "wizard-1-start")
    _next(qtbot, wizard)
    assert wizard.editor.budget.text() == "1.128.100,00"
    shoot(wizard, "wizard-2-general")
    for name in ("zones", "grid", "rules"):
        _next(qtbot, wizard)
        shoot(wizard, f"wizard-{3 + ('zones', 'grid', 'rules').index(name)}-{name}")
    _next(qtbot, wizard)
    assert "€ 1.128.100,00" in wizard.summary.summary.toPlainText()
    assert "parziale" in wizard.summary.summary.toPlainText()
    shoot(wizard, "wizard-6-summary")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.database is not None and target.exists()
    wizard.database.close()
    db = open_database(target)
    assert db.bando() == milano
    db.close()


def test_wizard_stops_on_the_page_with_the_wrong_key(qtbot: Any, tmp_path: Path) -> None:
    """A bad value is refused on its own page with the core's message naming the TOML key."""
    wizard = BandoWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.start.path, str(tmp_path / "x.valutazione"))
    _next(qtbot, wizard)
    general = wizard.currentPage()
    wizard.editor.cap.clear()
    qtbot.keyClicks(wizard.editor.cap, "2.000.000,00")
    _next(qtbot, wizard)
    assert wizard.currentPage() is general
    assert "bando.contributo_massimo" in general.status.text() and "budget" in general.status.text()
    shoot(wizard, "wizard-error")
    wizard.editor.cap.clear()
    qtbot.keyClicks(wizard.editor.cap, "60.000,00")
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    grid = wizard.currentPage()
    wizard.editor.grid.topLevelItem(0).child(0).setText(2, "16")
    _next(qtbot, wizard)
    assert wizard.currentPage() is grid and "criteri[0].massimo" in grid.status.text()
    wizard.editor.grid.topLevelItem(0).setText(2, "36")
    wizard.editor.grid.topLevelItem(0).setText(2, "36")
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.database is not None
    bando = wizard.database.bando()
    assert bando.cap_cents == 6_000_000 and bando.max_total == 101
    wizard.database.close()


def test_wizard_refuses_existing_file(qtbot: Any, tmp_path: Path) -> None:
    """An existing file is never overwritten by a new call."""
    existing = tmp_path / "c.valutazione"
    existing.write_text("x")
    wizard = BandoWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.start.path, str(existing))
    _next(qtbot, wizard)
    assert "esiste già" in wizard.start.status.text()


def test_wizard_summary_shows_the_lots_of_a_template(qtbot: Any, tmp_path: Path) -> None:
    """The «Quartieri connessi» template: the summary lists lots, the quota, the per-applicant limit, the
    rule for unused money and the submission-time precision; the file keeps the template's lot rules."""
    from valutazione.bando import load_bando
    from valutazione.paths import resource

    wizard = BandoWizard(actor="Giulia Ferrari")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.start.template.setCurrentIndex(wizard.start.template.findText("quartieri-connessi"))
    target = tmp_path / "quartieri.valutazione"
    qtbot.keyClicks(wizard.start.path, str(target))
    for _ in range(5):
        _next(qtbot, wizard)
    text = wizard.summary.summary.toPlainText()
    assert "L3 – Impresa e comunità: € 154.950,00, contributo massimo € 50.000,00" in text
    assert "Quota riservata GIOVANI: 20 % del lotto L3 alle domande con «giovani»" in text
    assert "Domande finanziate per proponente: 1" in text
    assert "Risorse non usate da un lotto: ai lotti con domande da finanziare" in text
    assert "data_invio (orario di invio al minuto), poi sorteggio pubblico" in text
    shoot(wizard, "wizard-6-summary-lots")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.database is not None
    wizard.database.close()
    db = open_database(target)
    assert db.bando().lots == load_bando(resource("bandi", "quartieri-connessi.toml")).lots
    db.close()
