"""Aiuto → Informazioni: the program, its version and licence, and the licences of what it bundles.

The installer ships Qt, fonts and libraries under their own licences; LGPL-3.0 (Qt) and the font licence
ask that users can read them from the program itself, so the text comes from resources/licenses/ and
resources/fonts/, the same files the installer copies, and is shown here unabridged.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ui.screen_fit import fit_to_screen
from valutazione import __version__
from valutazione.paths import resource

THIRD_PARTY = ("licenses", "THIRD-PARTY.md")
DEJAVU = ("fonts", "LICENSE-DejaVu.txt")


def tr(text: str) -> str:
    return QCoreApplication.translate("about", text)


def licences_markdown() -> str:
    """The third-party summary followed by the full font licence; a missing file is said, not hidden."""
    parts = []
    for parts_of_path, fence in ((THIRD_PARTY, False), (DEJAVU, True)):
        path = resource(*parts_of_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = tr("(file «{}» non trovato in questa installazione)").format("/".join(parts_of_path))
        if fence:
            text = "## " + tr("Licenza dei caratteri DejaVu") + "\n\n```\n" + text.strip() + "\n```\n"
        parts.append(text)
    return "\n\n".join(parts)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.welcome import app_icon

        self.setWindowTitle(tr("Informazioni su Valutazione"))
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(80, 80))
        name = QLabel(tr("Valutazione {}").format(__version__))
        name.setStyleSheet("font-size: 18pt; font-weight: bold;")
        description = QLabel(
            tr(
                "Valutazione delle domande ai bandi pubblici di contributo: ammissibilità, conflitti di "
                "interessi, schede dei commissari, graduatoria e verbali, anche con commissari che "
                "valutano senza rete.\n"
                "Software libero, distribuito con licenza EUPL-1.2 (Licenza pubblica dell'Unione europea)."
            )
        )
        description.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(name)
        heading.addWidget(description)
        top = QHBoxLayout()
        top.addWidget(logo, alignment=Qt.AlignmentFlag.AlignTop)
        top.addSpacing(12)
        top.addLayout(heading, 1)
        self.licences = QTextBrowser()
        self.licences.setOpenExternalLinks(True)
        self.licences.setMarkdown(licences_markdown())
        close = QPushButton(tr("Chiudi"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.licences, 1)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        fit_to_screen(self, QSize(860, 640))


def show_about(parent: QWidget | None) -> AboutDialog:
    """Opens the box without blocking (window-modal), so tests read it like any widget."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
