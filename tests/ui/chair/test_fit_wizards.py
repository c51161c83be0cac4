"""Fit test of the wizards: every page on a 1366×768 screen less a taskbar, buttons within reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWizard

from tests.ui import screenshots
from tests.ui.chair.conftest import SAMPLE, Host
from tests.ui.fit import problems
from ui.chair.bando_wizard import BandoWizard
from ui.chair.import_wizard import ImportWizard
from ui.screen_fit import LAPTOP, TITLE_BAR, fit_to_screen

BUTTONS = (
    QWizard.WizardButton.BackButton,
    QWizard.WizardButton.NextButton,
    QWizard.WizardButton.FinishButton,
    QWizard.WizardButton.CancelButton,
)


def _page_faults(wizard: QWizard, name: str) -> list[str]:
    """What is wrong with the page on screen: too tall for the free screen, a button cut, text clipped."""
    faults = [f"{name}: {issue}" for issue in problems(wizard)]
    if wizard.height() + TITLE_BAR > LAPTOP.height():
        faults.append(f"{name}: alta {wizard.height()} px + barra del titolo > {LAPTOP.height()}")
    inside = QRect(QPoint(0, 0), wizard.size())
    for which in BUTTONS:
        button = wizard.button(which)
        if button.isVisible():
            where = QRect(button.mapTo(wizard, QPoint(0, 0)), button.size())
            if not inside.contains(where):
                faults.append(f"{name}: pulsante «{button.text()}» fuori dalla finestra")
    return faults


def shoot(wizard: QWizard, name: str) -> None:
    """As the wizard is, not resized to the whole screen (that would hide what the test checks)."""
    screenshots.shoot(None, wizard, name)


def _next(qtbot: Any, wizard: QWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_bando_wizard_pages_fit_a_laptop_with_taskbar(qtbot: Any, tmp_path: Path) -> None:
    """Each page of the new-call wizard fits 1366×728 with its title bar; Avanti and Fine stay visible."""
    wizard = BandoWizard()
    qtbot.addWidget(wizard)
    size = fit_to_screen(wizard, wizard.PREFERRED, LAPTOP)
    assert size.height() + TITLE_BAR <= LAPTOP.height()
    wizard.show()
    qtbot.keyClicks(wizard.start.path, str(tmp_path / "nuovo.valutazione"))
    faults: list[str] = []
    for step in range(6):
        qtbot.wait(30)
        faults += _page_faults(wizard, f"pagina {step + 1}")
        shoot(wizard, f"fit-bando-wizard-{step + 1}")
        if step < 5:
            _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.summary
    assert not faults, "\n".join(faults)


def test_import_wizard_pages_fit_a_laptop_with_taskbar(qtbot: Any, imported_host: Host) -> None:
    """Each page of the import wizard (file, columns, preview) fits 1366×728; its buttons stay visible."""
    wizard = ImportWizard(imported_host)
    qtbot.addWidget(wizard)
    fit_to_screen(wizard, wizard.PREFERRED, LAPTOP)
    wizard.show()
    faults = _page_faults(wizard, "file")
    shoot(wizard, "fit-import-wizard-1")
    qtbot.keyClicks(wizard.file.path, str(SAMPLE / "domande-esempio.csv"))
    _next(qtbot, wizard)
    faults += _page_faults(wizard, "colonne")
    shoot(wizard, "fit-import-wizard-2")
    _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.preview.report is not None or bool(wizard.preview.status.text()), timeout=10000)
    faults += _page_faults(wizard, "anteprima")
    shoot(wizard, "fit-import-wizard-3")
    assert wizard.currentPage() is wizard.preview
    assert not faults, "\n".join(faults)


def test_fit_to_screen_keeps_the_preferred_size_on_a_large_screen(qtbot: Any) -> None:
    """On a 1920×1040 free area the wizard keeps its designed size: it shrinks only when it must."""
    wizard = BandoWizard()
    qtbot.addWidget(wizard)
    assert fit_to_screen(wizard, wizard.PREFERRED, QRect(0, 0, 1920, 1040)) == wizard.PREFERRED
    small = fit_to_screen(wizard, wizard.PREFERRED, LAPTOP)
    assert small.height() == LAPTOP.height() - TITLE_BAR and small.width() == wizard.PREFERRED.width()
