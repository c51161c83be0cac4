"""Aiuto → Informazioni: version, description and the licences of every bundled component; the app icon."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel

from tests.ui.screenshots import shoot
from ui import app
from ui.about import AboutDialog
from ui.main_window import MainWindow
from valutazione import __version__
from valutazione.paths import resource


def test_about_box_lists_the_bundled_licences(qtbot: Any) -> None:
    """The about box shows the version and, for each bundled component, its licence (LGPL offer for Qt)."""
    window = MainWindow()
    qtbot.addWidget(window)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Aiuto")
    next(a for a in help_menu.actions() if a.text() == "&Informazioni").trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    labels = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"Valutazione {__version__}" in labels and "EUPL-1.2" in labels
    text = dialog.licences.toPlainText()
    rows = text.splitlines()
    for component, licence in (
        ("PySide6", "LGPL-3.0"),
        ("DejaVu", "Bitstream Vera"),
        ("ReportLab", "BSD"),
        ("SQLAlchemy", "MIT"),
        ("Alembic", "MIT"),
        ("pyHanko", "MIT"),
        ("cryptography", "Apache-2.0 oppure BSD-3-Clause"),
        ("openpyxl", "MIT"),
        ("python-stdnum", "LGPL-2.1"),
    ):
        # a table row reads as three lines: component, use, licence
        assert any(component in rows[i] and licence in " ".join(rows[i : i + 3]) for i in range(len(rows))), component
    assert "download.qt.io" in text and "codice sorgente" in text
    assert "THE FONT SOFTWARE IS PROVIDED" in text  # the font licence in full, as it asks
    shoot(None, dialog, "about")
    dialog.close()
    window.close()


def test_licence_summary_ships_with_the_resources() -> None:
    """resources/licenses/THIRD-PARTY.md exists, so the installer (which bundles resources/) carries it."""
    assert "LGPL-3.0" in resource("licenses", "THIRD-PARTY.md").read_text(encoding="utf-8")


def test_application_has_its_icon(qapp: Any) -> None:
    """The application sets the window icon every window and the task bar use."""
    app.make_application([])
    assert not QApplication.windowIcon().isNull()
