"""The main window: a file, a person, and the screens that person may use.

No global application object: the window owns the open ``Database`` and the ``User`` and passes them
to each screen. ``data_changed`` is emitted after any write so that every view reloads. The window's
parts (welcome page, package and document menus, file safety) see it as a ``ui.host.Host``; the
chair's screens get a ``ui.host.ChairDesk`` holding the open file and its user.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from ui import dialogs, server_connect, settings
from ui.banners import BannerArea, FileSafety
from ui.chair import LazyTab, chair_actions, chair_tabs
from ui.documents import DocumentActions
from ui.forms.declaration import GeneralDeclarationPage
from ui.forms.domande_view import DomandeView
from ui.forms.evaluation import EvaluationView
from ui.forms.home import HomePage
from ui.forms.identity import IdentityPage
from ui.forms.pairwise import PairwiseView
from ui.host import ChairDesk
from ui.layout_memory import reset_layout
from ui.maintenance import MaintenanceActions
from ui.models.domande import DomandaRow
from ui.packages import PackageActions, package_user
from ui.user import User
from ui.welcome import WelcomePage
from valutazione.bando import default_template, load_bando
from valutazione.db import Database, create_database
from valutazione.errors import ValutazioneError
from valutazione.services import committee
from valutazione.services.pairwise_entry import pairwise_subcriteria


class MainWindow(QMainWindow):
    data_changed = Signal()

    def __init__(self, db: Database | None = None) -> None:
        super().__init__()
        self.db: Database | None = None
        self.user: User | None = None
        self.domande: DomandeView | None = None
        self.evaluation: EvaluationView | None = None
        self.home: HomePage | None = None
        self.pairwise: PairwiseView | None = None
        self.chair_actions: list[QAction] = []
        self.setWindowTitle(self.tr("Valutazione domande"))
        self.setMinimumSize(800, 560)

        self.welcome = WelcomePage(self, self)
        self.welcome.choose_file_requested.connect(self.choose_file)
        self.welcome.choose_server_requested.connect(self.choose_server)
        self.identity = IdentityPage()
        self.identity.chosen.connect(self.set_user)
        self.declaration = GeneralDeclarationPage()
        self.declaration.declared.connect(self._show_work)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages = QStackedWidget()
        for page in (self.welcome, self.identity, self.declaration, self.tabs):
            self.pages.addWidget(page)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # Alt+1 … Alt+9 jump to the tabs in order: the chair moves between ten screens all day.
        for number in range(1, 10):
            jump = QShortcut(QKeySequence(f"Alt+{number}"), self)
            jump.activated.connect(lambda index=number - 1: self._jump_to_tab(index))
        # Yellow (read-only) and red (audit chain) banners sit above every page.
        self.banners = BannerArea()
        self.safety = FileSafety(self, self.banners, self)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banners)
        central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.user_label = QLabel()
        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self._build_menus()
        self.data_changed.connect(self._on_data_changed)
        geometry = settings.app_settings().value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        if db is not None:
            self.set_database(db)

    # -- menus -----------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_action = file_menu.addAction(self.tr("&Nuovo…"), QKeySequence.StandardKey.New, self.new_file)
        self.open_action = file_menu.addAction(self.tr("&Apri…"), QKeySequence.StandardKey.Open, self.choose_file)
        self.server_action = file_menu.addAction(self.tr("&Server della commissione…"), self.choose_server)
        self.recent_menu = QMenu(self.tr("File &recenti"), self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.safety.restore_action)
        self.safety.writing_actions.append(lambda: self.chair_actions)
        self.packages = PackageActions(self, file_menu, self)
        self.welcome.choose_package_requested.connect(self.packages.choose_package)
        self.pages.currentChanged.connect(self.packages.refresh)
        file_menu.addSeparator()
        self.maintenance = MaintenanceActions(self, file_menu, self)
        file_menu.addSeparator()
        self.switch_action = file_menu.addAction(self.tr("Cambia &utente"), self._ask_identity)
        self.close_action = file_menu.addAction(self.tr("&Chiudi"), QKeySequence.StandardKey.Close, self.close_file)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Esci"), QKeySequence.StandardKey.Quit, self.close)
        self.view_menu = self.menuBar().addMenu(self.tr("&Visualizza"))
        self.view_menu.addAction(self.tr("&Elenco delle domande"), "Ctrl+1", lambda: self._go_widget(self.domande))
        self.view_menu.addAction(self.tr("&Valutazione"), "Ctrl+2", lambda: self._go_widget(self.evaluation))
        self.view_menu.addAction(self.tr("&Inizio"), "Ctrl+0", lambda: self._go_widget(self.home))
        self.view_menu.addAction(self.tr("&Aggiorna"), QKeySequence.StandardKey.Refresh, self.data_changed.emit)
        self.view_menu.addSeparator()
        self.reset_layout_action = self.view_menu.addAction(self.tr("Ripristina la &disposizione"), self.reset_layout)
        self.menuBar().addMenu(self.packages.chair_menu)
        self.documents = DocumentActions(self, self)
        self.pages.currentChanged.connect(self.documents.refresh)
        self.menuBar().addMenu(self.documents.menu)
        help_menu = self.menuBar().addMenu(self.tr("&Aiuto"))
        help_menu.addAction(self.tr("&Guida"), QKeySequence.StandardKey.HelpContents, self._help)
        help_menu.addAction(self.tr("&Informazioni"), self._about)
        toolbar = self.addToolBar(self.tr("Barra principale"))
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.switch_action)
        self.toolbar = toolbar
        self._update_actions()

    def _update_actions(self) -> None:
        self.close_action.setEnabled(self.db is not None)
        self.switch_action.setEnabled(self.db is not None)
        self.maintenance.refresh()
        self.safety.update_actions()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for f in files:
            self.recent_menu.addAction(Path(f).name, partial(self.open_file, Path(f))).setToolTip(f)
        if not files:
            self.recent_menu.addAction(self.tr("(nessun file recente)")).setEnabled(False)

    # -- files -----------------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path = dialogs.open_path(self, self.tr("Apri un file di valutazione"))
        if path is not None:
            self.open_file(path)

    def choose_server(self) -> bool:
        return server_connect.choose(self)

    def new_file(self) -> None:
        path = dialogs.save_path(self, self.tr("Nuovo file di valutazione"), "commissione.valutazione")
        if path is None:
            return
        try:
            template = default_template()
            db = create_database(path, load_bando(template), template.read_text(encoding="utf-8"))
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Nuovo file"), str(exc))
            return
        self.set_database(db)

    def open_file(self, path: Path) -> bool:
        """Opens through ``FileSafety``: damaged → offer a backup; held elsewhere → read-only, with a banner."""
        opened = self.safety.open(path)
        if opened is None:
            return False
        self.set_database(*opened)
        return True

    def set_database(self, db: Database, read_only_reason: str | None = None) -> None:
        self.close_file()
        self.db = db
        if db.server is None:
            settings.remember_file(db.path)
        self.setWindowTitle(self.tr("{} — Valutazione domande").format(db.label))
        self.safety.opened(db, read_only_reason)
        self._update_actions()
        self._ask_identity()

    def close_file(self) -> None:
        self.flush()
        self._clear_work()
        self.user = None
        if self.db is not None:
            self.db.close()
            self.db = None
        self.user_label.setText("")
        self.counts_label.setText("")
        self.statusBar().clearMessage()  # «Pacchetto n. 3 di …» must not outlive the file it spoke of
        self.safety.closed()
        self.setWindowTitle(self.tr("Valutazione domande"))
        self.pages.setCurrentWidget(self.welcome)
        self._update_actions()

    # -- who am I ----------------------------------------------------------------------------------------

    def _ask_identity(self) -> None:
        """Logs out whoever was in: their screens, menus, status line and open dialogs go before anyone enters."""
        if self.db is None:
            return
        self.flush()
        self.log_out()
        member = package_user(self.db)
        if member is not None:  # a member's package holds that member only: no need to ask who is there
            self.set_user(member)
            return
        self.identity.load(self.db, settings.last_member(self.db.location))
        self.pages.setCurrentWidget(self.identity)

    def log_out(self) -> None:
        """Nothing the previous person opened may act for the next one: dialogs closed, menus refreshed."""
        self._clear_work()
        self.user = None
        self.user_label.setText("")
        self.counts_label.setText("")
        self.statusBar().clearMessage()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        self.packages.refresh()
        self.documents.refresh()

    def set_user(self, user: User) -> None:
        assert self.db is not None
        self.user = user
        self.safety.gate.hold(self.pages)  # the opening verification waits until this person's page is painted
        if user.is_officer:  # no declaration, no applications: the funded projects only
            self.user_label.setText(self.tr("{} ({})").format(user.name, user.role_label))
            return self._show_projects()
        settings.remember_member(self.db.location, user.id)
        self.user_label.setText(self.tr("{} ({})").format(user.name, user.role_label))
        self.packages.refresh()
        self.documents.refresh()
        with self.db.sessions() as s:
            declared = committee.declaration(s, user.id) is not None
        if declared:
            self._show_work()
        else:
            self.declaration.load(self.db, user)
            self.pages.setCurrentWidget(self.declaration)

    def _show_work(self) -> None:
        assert self.db is not None and self.user is not None
        self._clear_work()
        self.domande = DomandeView(self.db, self.user)
        self.evaluation = EvaluationView(self.db, self.user, self.domande.visible_rows)
        self.domande.open_requested.connect(self.open_domanda)
        self.domande.counts_changed.connect(self.counts_label.setText)
        self.evaluation.changed.connect(self.data_changed)
        self.home = HomePage(self.db, self.user)
        self.home.go.connect(self.go_place)
        self.home.changed.connect(self.data_changed)
        self.tabs.addTab(self.home, self.tr("Inizio"))
        self.tabs.addTab(self.domande, self.tr("Elenco delle domande"))
        self.tabs.addTab(self.evaluation, self.tr("Valutazione") if self.user.scores else self.tr("Domanda"))
        if self.user.scores and pairwise_subcriteria(self.db.bando()):  # the call scores a criterion by pairs
            self.pairwise = PairwiseView(self.db, self.user)
            self.tabs.addTab(self.pairwise, self.tr("Confronto a coppie"))
        state = settings.app_settings().value("window/evaluation_splitter")
        if isinstance(state, QByteArray):
            self.evaluation.splitter.restoreState(state)
        if self.safety.read_only:  # reading and browsing stay; declaring and scoring would be refused
            for part in (self.evaluation.conflict, self.evaluation.scheda):
                if part is not None:
                    part.setEnabled(False)
        if self.user.is_chair or self.user.is_secretary:
            self._add_chair_screens()
        self.domande.reload()
        self.tabs.setCurrentWidget(self.home)
        self.pages.setCurrentWidget(self.tabs)

    def _show_projects(self) -> None:
        from ui.chair import LazyTab
        from ui.projects.screen import ProjectsPanel

        self._clear_work()
        assert self.db is not None and self.user is not None
        tab = LazyTab(ChairDesk(self.db, self.user, self.data_changed, self, self.set_database), ProjectsPanel)
        tab.read_only = self.safety.read_only
        self.tabs.addTab(tab, self.tr("Progetti finanziati"))
        tab.activate()
        self.pages.setCurrentWidget(self.tabs)

    def _add_chair_screens(self) -> None:
        assert self.db is not None and self.user is not None
        desk = ChairDesk(self.db, self.user, self.data_changed, self, self.set_database)
        for title, widget in chair_tabs(desk):  # lazy pages: built when first shown
            widget.read_only = self.safety.read_only
            self.tabs.addTab(widget, title)
        self.chair_actions = chair_actions(desk)
        if self.chair_actions:
            self.chair_actions.insert(0, self.toolbar.addSeparator())  # removed with them at the next switch
            for action in self.chair_actions:
                self.toolbar.addAction(action)
        self.safety.update_actions()  # on a read-only file the chair's writing actions start disabled

    def _clear_work(self) -> None:
        if self.evaluation is not None:
            settings.app_settings().setValue("window/evaluation_splitter", self.evaluation.splitter.saveState())
        for action in self.chair_actions:
            self.toolbar.removeAction(action)
        for action in self.toolbar.actions():  # the chair's separator too: one more at each user switch
            if action.isSeparator():
                self.toolbar.removeAction(action)
        self.chair_actions = []
        self.tabs.blockSignals(True)  # removing tab 0 makes the next one current: that must not build it
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        self.tabs.blockSignals(False)
        self.domande = self.evaluation = self.home = None
        self.pairwise = None

    # -- work ----------------------------------------------------------------------------------------------

    def open_domanda(self, row: DomandaRow) -> None:
        if self.evaluation is None:
            return
        self.tabs.setCurrentWidget(self.evaluation)
        self.evaluation.open(row)

    def _jump_to_tab(self, index: int) -> None:
        if self.pages.currentWidget() is self.tabs and index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def _on_tab_changed(self, index: int) -> None:
        """A chair tab builds (or refreshes, if stale) its screen when it becomes current."""
        widget = self.tabs.widget(index)
        if isinstance(widget, LazyTab):
            widget.activate()

    def _go_widget(self, widget: QWidget | None) -> None:
        if widget is not None and self.tabs.indexOf(widget) >= 0:
            self.tabs.setCurrentWidget(widget)

    PLACE_TABS = {
        "admissibility": "Ammissibilità",
        "progress": "Avanzamento",
        "ranking": "Graduatoria",
        "sessions": "Sedute",
    }

    def go_place(self, place: str) -> None:
        """Where a home-page step leads: a screen, or the menu action that does the step."""
        if place == "domande":
            self._go_widget(self.domande)
        elif place == "documents":
            self.documents.export()
        elif place == "import":
            action = next((a for a in self.chair_actions if a.text().startswith(self.tr("Importa domande"))), None)
            if action is not None:
                action.trigger()
        elif place in self.PLACE_TABS:
            title = self.tr(self.PLACE_TABS[place])
            index = next((i for i in range(self.tabs.count()) if self.tabs.tabText(i) == title), -1)
            if index >= 0:
                self.tabs.setCurrentIndex(index)

    def _on_data_changed(self) -> None:
        if self.home is not None:
            self.home.reload()
        if self.domande is not None:
            self.domande.reload()
        if self.evaluation is not None:
            self.evaluation.refresh_buttons()

    # -- what the parts may ask (ui.host.Host) -------------------------------------------------------------

    def flush(self) -> None:
        """Saves what the member is typing (before it leaves in a return, or the file closes)."""
        if self.evaluation is not None:
            self.evaluation.flush()

    def dialog_parent(self) -> QWidget:
        return self

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    def _about(self) -> None:
        from ui.about import show_about

        show_about(self)

    def _help(self) -> None:
        from ui.help import screen_of, show_help

        show_help(self, screen_of(self))

    def reset_layout(self) -> None:
        """Forgets widths, column order, splitters and window size: everything as the program laid it out."""
        reset_layout()
        if self.evaluation is not None and self.evaluation.splitter.count() == 2:
            self.evaluation.splitter.setSizes([640, 700])  # evaluation.py's own first sizes
        if self.isVisible():
            self.showMaximized()
        self.show_message(self.tr("Disposizione predefinita ripristinata: colonne e divisori come all'inizio."), 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Saves pending typing and the window layout, then closes the file."""
        settings.app_settings().setValue("window/geometry", self.saveGeometry())
        self.close_file()
        event.accept()
