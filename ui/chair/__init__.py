"""The chair's and the secretary's desktop: the tabs and actions the main window adds for them.

``chair_tabs(window)`` and ``chair_actions(window)`` are the only entry points; every screen reads
``window.db`` and ``window.user`` and refreshes on ``window.data_changed``. The secretary gets the
committee, sessions and progress screens; the chair gets everything.

The tabs are lazy (``LazyTab``): a screen is built, and reads the file, the first time it is shown,
and on ``data_changed`` only the visible one refreshes, the others are marked stale and refresh when
shown again. Building all seven at start-up (the ranking computed on the GUI thread, the checklist of
every application) made a 1,000-application file take 4.4 s to open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ui.chair.common import Host, actor_name, tr

# Buttons that only read or browse stay usable on a read-only file; every other button of a chair screen writes.
READING_BUTTONS = ("Stampa", "Sfoglia", "Esporta", "Anteprima", "Apri", "Su", "Giù")


class LazyTab(QWidget):
    """A tab page that builds its screen on first show and refreshes it only while it is visible.

    The host calls ``activate()`` when the tab becomes current (``QTabWidget.currentChanged``); not from
    ``showEvent``, because tearing the tabs down makes each next one current in turn and would build
    them all on closing. The screen's own ``data_changed → refresh`` connection is replaced by this
    page's, so a write elsewhere costs nothing here until the user comes back (``stale``).
    """

    def __init__(self, host: Host, factory: Callable[[Host], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.factory = factory
        self.panel: QWidget | None = None
        self.stale = False
        self.loads = 0  # how many times the screen read the file (tests and benchmarks count them)
        self.read_only = False  # set by the window for a file opened read-only: writing buttons disabled
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        host.data_changed.connect(self._on_data_changed)

    def activate(self) -> None:
        """Builds the screen if it was never shown, or refreshes it if data changed meanwhile."""
        if self.panel is None:
            self.panel = self.factory(self.host)
            refresh = getattr(self.panel, "refresh", None)
            if callable(refresh):
                try:
                    self.host.data_changed.disconnect(refresh)
                except (RuntimeError, TypeError):  # the screen did not connect it: nothing to replace
                    pass
            self.layout().addWidget(self.panel)
            self.panel.show()
            self.loads += 1
            self.stale = False
            self._lock()
        elif self.stale:
            self.refresh()

    def refresh(self) -> None:
        self.stale = False
        refresh = getattr(self.panel, "refresh", None)
        if callable(refresh):
            self.loads += 1
            refresh()
            self._lock()

    def _lock(self) -> None:
        """On a read-only file the services would refuse every write: the buttons say so before a click."""
        if not self.read_only or self.panel is None:
            return
        for button in self.panel.findChildren(QPushButton):
            if not button.text().startswith(tr_all(READING_BUTTONS)):
                button.setEnabled(False)
                button.setToolTip(tr("Il file è aperto in sola lettura: vedere l'avviso in alto."))

    def _on_data_changed(self) -> None:
        if self.panel is None:
            return
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True


def tr_all(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(tr(t) for t in texts)


def _is_chair(window: Host) -> bool:
    return getattr(window.user, "role", "presidente") == "presidente"


def chair_tabs(window: Host) -> list[tuple[str, QWidget]]:
    """The screens as lazy pages: nothing is built or read here, only when a tab is first shown."""
    from ui.chair.admissibility import AdmissibilityPanel
    from ui.chair.committee import CommitteeTab
    from ui.chair.progress import ProgressPanel
    from ui.chair.ranking import RankingPanel
    from ui.chair.rules_tab import RulesTab
    from ui.chair.sessions import SessionsPanel
    from ui.projects.screen import ProjectsPanel

    screens: list[tuple[str, Callable[[Host], QWidget]]]
    if not _is_chair(window):
        screens = [(tr("Commissione"), CommitteeTab), (tr("Sedute"), SessionsPanel), (tr("Avanzamento"), ProgressPanel)]
    else:
        screens = [
            (tr("Bando"), RulesTab),
            (tr("Commissione"), CommitteeTab),
            (tr("Ammissibilità"), AdmissibilityPanel),
            (tr("Avanzamento"), ProgressPanel),
            (tr("Graduatoria"), RankingPanel),
            (tr("Sedute"), SessionsPanel),
            (tr("Progetti finanziati"), ProjectsPanel),
        ]
    return [(title, LazyTab(window, factory)) for title, factory in screens]


def chair_actions(window: Host) -> list[QAction]:
    """Import of applications and the new-call wizard (the chair only)."""
    if not _is_chair(window):
        return []
    parent = window if isinstance(window, QWidget) else None
    importing = QAction(tr("Importa domande…"), parent)
    importing.setShortcut(QKeySequence("Ctrl+I"))
    importing.triggered.connect(lambda: _import(window))
    new_call = QAction(tr("Nuovo bando (procedura guidata)…"), parent)
    new_call.triggered.connect(lambda: _new_call(window))
    return [importing, new_call]


def _import(window: Host) -> None:
    from ui.chair.import_wizard import ImportWizard

    wizard = ImportWizard(window, window if isinstance(window, QWidget) else None)
    wizard.exec()
    wizard.deleteLater()


def _new_call(window: Host) -> None:
    from ui.chair.bando_wizard import BandoWizard

    wizard = BandoWizard(window if isinstance(window, QWidget) else None, actor_name(window))
    if wizard.exec() and wizard.database is not None:
        opener = getattr(window, "set_database", None)
        if callable(opener):
            opener(wizard.database)
    wizard.deleteLater()
