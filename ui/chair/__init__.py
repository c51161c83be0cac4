"""The chair's and the secretary's desktop: the tabs and actions the main window adds for them.

``chair_tabs(desk)`` and ``chair_actions(desk)`` are the only entry points; every screen reads
``desk.db`` and ``desk.user`` (a ``ui.host.Desk``) and refreshes on ``desk.data_changed``. The
secretary gets the committee, sessions and progress screens; the chair gets everything; anyone else
(a member) gets none of them.

The tabs are lazy (``LazyTab``): a screen is built, and reads the file, the first time it is shown,
and on ``data_changed`` only the visible one refreshes, the others are marked stale and refresh when
shown again. Building all seven at start-up (the ranking computed on the GUI thread, the checklist of
every application) made a 1,000-application file take 4.4 s to open.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ui.chair.common import READS_ONLY, actor_name, tr
from ui.host import Desk
from valutazione.services.committee import PRESIDENTE, SEGRETARIO


class LazyTab(QWidget):
    """A tab page that builds its screen on first show and refreshes it only while it is visible.

    The host calls ``activate()`` when the tab becomes current (``QTabWidget.currentChanged``); not from
    ``showEvent``, because tearing the tabs down makes each next one current in turn and would build
    them all on closing. The screen's own ``data_changed → refresh`` connection is replaced by this
    page's, so a write elsewhere costs nothing here until the user comes back (``stale``).
    """

    def __init__(self, host: Desk, factory: Callable[[Desk], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.factory = factory
        self.panel: QWidget | None = None
        self.stale = False
        self.loads = 0  # how many times the screen read the file (tests and benchmarks count them)
        self.read_only = False  # set by the window for a file opened read-only: writing buttons disabled
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
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
            self._layout.addWidget(self.panel)
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
            if not button.property(READS_ONLY):
                button.setEnabled(False)
                button.setToolTip(tr("Il file è aperto in sola lettura: vedere l'avviso in alto."))

    def _on_data_changed(self) -> None:
        if self.panel is None:
            return
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True


def _screen(module: str, name: str) -> Callable[[Desk], QWidget]:
    """A factory importing its screen's module when the tab is first shown: the seven modules (with the
    projects' and the ranking's code behind them) cost a tenth of a second that the start-up need not pay."""

    def build(desk: Desk) -> QWidget:
        factory: Callable[[Desk], QWidget] = getattr(import_module(module), name)
        return factory(desk)

    return build


RULES = _screen("ui.chair.rules_tab", "RulesTab")
COMMITTEE = _screen("ui.chair.committee", "CommitteeTab")
ADMISSIBILITY = _screen("ui.chair.admissibility", "AdmissibilityPanel")
PROGRESS = _screen("ui.chair.progress", "ProgressPanel")
RANKING = _screen("ui.chair.ranking", "RankingPanel")
SESSIONS = _screen("ui.chair.sessions", "SessionsPanel")
PROJECTS = _screen("ui.projects.screen", "ProjectsPanel")


def chair_tabs(desk: Desk) -> list[tuple[str, LazyTab]]:
    """The screens as lazy pages: nothing is imported, built or read here, only when a tab is first shown."""
    screens: list[tuple[str, Callable[[Desk], QWidget]]]
    if desk.user.role == SEGRETARIO:
        screens = [(tr("Commissione"), COMMITTEE), (tr("Sedute"), SESSIONS), (tr("Avanzamento"), PROGRESS)]
    elif desk.user.role == PRESIDENTE:
        screens = [
            (tr("Bando"), RULES),
            (tr("Commissione"), COMMITTEE),
            (tr("Ammissibilità"), ADMISSIBILITY),
            (tr("Avanzamento"), PROGRESS),
            (tr("Graduatoria"), RANKING),
            (tr("Sedute"), SESSIONS),
            (tr("Progetti finanziati"), PROJECTS),
        ]
    else:
        screens = []
    return [(title, LazyTab(desk, factory)) for title, factory in screens]


def chair_actions(desk: Desk) -> list[QAction]:
    """Import of applications and the new-call wizard (the chair only)."""
    if desk.user.role != PRESIDENTE:
        return []
    parent = desk.window()
    importing = QAction(tr("Importa domande…"), parent)
    importing.setShortcut(QKeySequence("Ctrl+I"))
    importing.triggered.connect(lambda: _import(desk))
    scores = QAction(tr("Importa punteggi (CSV)…"), parent)
    scores.triggered.connect(lambda: import_scores(desk))
    new_call = QAction(tr("Nuovo bando (procedura guidata)…"), parent)
    new_call.triggered.connect(lambda: _new_call(desk))
    return [importing, scores, new_call]


def import_scores(desk: Desk) -> None:
    """Paper or bulk scores (the CLI's ``scores import``): checked whole, saved as drafts, or nothing at all."""
    from ui import dialogs
    from valutazione.errors import ValutazioneError
    from valutazione.services import scores_csv

    title = tr("Importa punteggi")
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getOpenFileName(
        desk.window(), tr("File CSV dei punteggi (separatore «;»)"), "", tr("File CSV (*.csv);;Tutti i file (*)")
    )
    if not name:
        return
    path = Path(name)
    try:
        with desk.db.sessions.begin() as s:
            report = scores_csv.import_scores(s, path, desk.user.name)
    except (ValutazioneError, OSError) as exc:
        text = str(exc) if isinstance(exc, ValutazioneError) else tr("Impossibile leggere «{}».").format(path.name)
        dialogs.error(desk.window(), title, text)
        return
    desk.data_changed.emit()
    dialogs.info(
        desk.window(),
        title,
        tr(
            "Importate {rows} righe in {sheets} schede in bozza ({members}). Ogni componente le controlla e le invia."
        ).format(rows=report.rows, sheets=report.sheets, members=", ".join(report.members)),
    )


def _import(desk: Desk) -> None:
    from ui.chair.import_wizard import ImportWizard

    wizard = ImportWizard(desk, desk.window())
    wizard.exec()
    wizard.deleteLater()


def _new_call(desk: Desk) -> None:
    from ui.chair.bando_wizard import BandoWizard

    wizard = BandoWizard(desk.window(), actor_name(desk))
    if wizard.exec() and wizard.database is not None:
        desk.open_database(wizard.database)
    wizard.deleteLater()
