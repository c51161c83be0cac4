"""Aiuto → Guida (F1): the user guide's section for the screen on view, rendered from the Markdown we ship.

Why: the role guide (README) and the rule book (docs/regole.md) are the only manuals; a member pressing F1
on the scoring form should land on what concerns that form, not on a folder of files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from ui.screen_fit import fit_to_screen

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ("README.md", "## Chi fa cosa")
# screen (the page's or tab's object name or title) → (file, heading the section starts with)
SECTIONS: dict[str, tuple[str, str]] = {
    "identity": GUIDE,
    "declaration": ("docs/regole.md", "## § 2."),
    "conflict": ("docs/regole.md", "## § 2."),
    "scheda": ("docs/regole.md", "## § 4."),
    "Commissione": ("docs/regole.md", "## § 2."),
    "Ammissibilità": ("docs/regole.md", "## § 3."),
    "Avanzamento": ("docs/regole.md", "## § 12."),
    "Graduatoria": ("docs/regole.md", "## § 13."),
    "Sedute": ("docs/regole.md", "## § 14."),
    "Progetti finanziati": ("docs/regole.md", "## § 18."),
}
PAGES = (("Guida per ruolo", "README.md", "## Chi fa cosa"), ("Regole della procedura", "docs/regole.md", ""))


def section(file: str, heading: str) -> str:
    """The Markdown from ``heading`` to the next heading of the same level (the whole file if none)."""
    path = ROOT / file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return f"La guida «{file}» non è disponibile in questa installazione."
    if not heading:
        return text
    lines = text.splitlines()
    level = heading.split(" ")[0] + " "
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return text
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(level)), len(lines))
    return "\n".join(lines[start:end])


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None, screen: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Guida")
        fit_to_screen(self, QSize(820, 600))
        self.choice = QComboBox()
        file, heading = SECTIONS.get(screen, GUIDE)
        self.choice.addItem("Sezione di questa schermata", (file, heading))
        for title, page_file, page_heading in PAGES:
            self.choice.addItem(title, (page_file, page_heading))
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.choice.currentIndexChanged.connect(self._show)
        self._show()

    def _show(self) -> None:
        file, heading = self.choice.currentData()
        self.browser.setMarkdown(section(file, heading))


def show_help(parent: QWidget, screen: str) -> None:
    HelpDialog(parent, screen).exec()


def screen_of(window: object) -> str:
    """The key of SECTIONS for what ``window`` (the main window) shows now."""
    pages = getattr(window, "pages", None)
    page = pages.currentWidget() if pages is not None else None
    for key in ("identity", "declaration"):
        if page is not None and page is getattr(window, key, None):
            return key
    tabs = getattr(window, "tabs", None)
    if not isinstance(tabs, QTabWidget) or id(page) != id(tabs) or tabs.count() == 0:  # id(): no narrowing to page
        return ""
    evaluation: Any = getattr(window, "evaluation", None)
    if evaluation is not None and id(tabs.currentWidget()) == id(evaluation):
        return "conflict" if evaluation.pages.currentWidget() is evaluation.conflict else "scheda"
    return str(tabs.tabText(tabs.currentIndex())).replace("&", "")
