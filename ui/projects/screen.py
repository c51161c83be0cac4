"""«Progetti finanziati»: the four figures, the project list, and the project page behind Enter.

The figures are computed by ``monitoring.summary`` each time the file changes, never typed; an anomaly
in their nesting (erogato ≤ vincolante ≤ ammesso ≤ programmato) is shown in red above the list. The chair
also adds the monitoring officers here, who then enter this screen only.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import ERROR_COLOUR, StatusLine, actor_name, euro, read, run_action, tr
from ui.host import Desk
from ui.models.filter_bar import SearchableTable
from ui.models.table import ROW_ROLE
from ui.projects.model import ProjectsModel, haystack, matches
from ui.projects.page import ProjectPage
from valutazione.db import load_rules
from valutazione.projects import monitoring, officers
from valutazione.projects.monitoring import FinanceSummary

FIGURES = (
    ("programmato", tr("Importo programmato")),
    ("ammesso", tr("Ammesso a finanziamento")),
    ("vincolante", tr("Giuridicamente vincolante")),
    ("erogato", tr("Erogato")),
)


class FigureBox(QFrame):
    """One of the four figures: a caption and the amount in large type."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #444;")
        self.amount = QLabel("—")
        self.amount.setObjectName("amount")
        self.amount.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.amount.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.amount)


class ProjectsPanel(QWidget):
    """The list page and, stacked over it, the page of the project opened with Enter or a double-click."""

    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.today = date.today()  # tests set another day to see a project fall behind
        self.summary: FinanceSummary | None = None
        self.stack = QStackedWidget()
        self.list_page = QWidget()
        self.page: ProjectPage | None = None

        self.figures = {key: FigureBox(caption) for key, caption in FIGURES}
        figures = QGridLayout()
        for i, (key, _caption) in enumerate(FIGURES):
            figures.addWidget(self.figures[key], 0, i)
        self.version = QLabel()
        self.version.setStyleSheet("color: #444;")
        self.anomalies = QLabel()
        self.anomalies.setWordWrap(True)
        self.anomalies.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.anomalies.hide()

        self.zone = QComboBox()
        self.state = QComboBox()
        self.state.addItem(tr("Tutti gli stati"), "")
        for state in monitoring.STATES:
            self.state.addItem(state, state)
        self.model = ProjectsModel(parent=self)
        self.view = SearchableTable(
            self.model,
            "progetti",
            tr("Cerca protocollo, beneficiario, titolo, CUP… (Ctrl+F)"),
            (QLabel(tr("Zona:")), self.zone, QLabel(tr("Stato:")), self.state),
        )
        self.proxy, self.table, self.search = self.view.proxy, self.view.table, self.view.bar.search
        self.proxy.haystack = haystack
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._open_index)  # Enter, and double-click on every platform style
        self.open_button = QPushButton(tr("Apri il progetto"))
        self.open_button.clicked.connect(self.open_current)
        self.count = QLabel()

        self.status = StatusLine()
        self.officers = QLabel()
        self.officers.setWordWrap(True)
        self.officer_name = QLineEdit()
        self.officer_name.setPlaceholderText(tr("Nome e cognome del referente"))
        self.officer_button = QPushButton(tr("Aggiungi referente del monitoraggio"))
        self.officer_button.clicked.connect(self.add_officer)
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officers, 2)
        officer_row.addWidget(self.officer_name, 1)
        officer_row.addWidget(self.officer_button)
        self.officer_box = QWidget()
        self.officer_box.setLayout(officer_row)
        self.officer_box.setVisible(getattr(host.user, "role", "presidente") == "presidente")

        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self.list_page)
        layout.addLayout(figures)
        layout.addWidget(self.version)
        layout.addWidget(self.anomalies)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        layout.addWidget(self.officer_box)
        self.stack.addWidget(self.list_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.zone.currentIndexChanged.connect(self._filter)
        self.state.currentIndexChanged.connect(self._filter)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        today = self.today
        self.summary, zones, people = read(
            self.host,
            lambda s: (
                monitoring.summary(s, today),
                [z.name for z in load_rules(s).zones],
                officers.list_officers(s),
            ),
        )
        sm = self.summary
        amounts = {
            "programmato": sm.programmato_cents,
            "ammesso": sm.ammesso_cents,
            "vincolante": sm.vincolante_cents,
            "erogato": sm.erogato_cents,
        }
        for key, cents in amounts.items():
            self.figures[key].amount.setText(euro(cents))
        self.version.setText(
            tr("Nessuna graduatoria definitiva approvata: nessun progetto finanziato.")
            if sm.ranking_version is None
            else tr("Ammesso dalla graduatoria definitiva, versione {v}; importi calcolati, non digitati.").format(
                v=sm.ranking_version
            )
        )
        problems = monitoring.check_nesting(sm)
        self.anomalies.setText(tr("Anomalie: ") + "; ".join(problems) if problems else "")
        self.anomalies.setVisible(bool(problems))
        chosen = self.zone.currentData()
        self.zone.blockSignals(True)
        self.zone.clear()
        self.zone.addItem(tr("Tutte le zone"), "")
        for name in [*zones, monitoring.NO_ZONE]:
            if any(line.zone == name for line in sm.lines):
                self.zone.addItem(name, name)
        self.zone.setCurrentIndex(max(0, self.zone.findData(chosen)))
        self.zone.blockSignals(False)
        self.model.set_rows(sm.lines)
        self.officers.setText(
            tr("Referenti del monitoraggio: ") + (", ".join(p.name for p in people) if people else tr("nessuno"))
        )
        self._filter()
        if self.page is not None:
            self.page.refresh()

    def _filter(self) -> None:
        self.proxy.extra = matches(str(self.zone.currentData() or ""), str(self.state.currentData() or ""))
        self.proxy.refilter()
        behind = sum(1 for line in self.model.rows if line.behind)
        text = tr("{n} con l'affiancamento in ritardo (evidenziati)").format(n=behind) if behind else ""
        self.count.setText(text)

    def _open_index(self, index: QModelIndex) -> None:
        line = index.siblingAtColumn(0).data(ROW_ROLE)
        if line is not None:
            self.open_project(line.protocol)

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.status.fail(tr("Selezionare un progetto nell'elenco."))
            return
        self._open_index(index)

    def open_project(self, protocol: str) -> ProjectPage:
        self.close_project()
        self.page = ProjectPage(self.host, protocol, self.today)
        self.page.back_requested.connect(self.close_project)
        if self._read_only():  # as LazyTab does for the list: the core would refuse every write
            for button in self.page.findChildren(QPushButton):
                if button is not self.page.back_button:
                    button.setEnabled(False)
                    button.setToolTip(tr("Il file è aperto in sola lettura: vedere l'avviso in alto."))
        self.stack.addWidget(self.page)
        self.stack.setCurrentWidget(self.page)
        return self.page

    def _read_only(self) -> bool:
        """True inside a tab page the window marked read-only (a file opened for reading only)."""
        widget = self.parentWidget()
        while widget is not None:
            if getattr(widget, "read_only", False) is True:
                return True
            widget = widget.parentWidget()
        return False

    def close_project(self) -> None:
        if self.page is not None:
            self.stack.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        self.stack.setCurrentWidget(self.list_page)
        self.table.setFocus()

    def add_officer(self) -> None:
        name, actor = self.officer_name.text(), actor_name(self.host)
        info = run_action(self.host, self.status, lambda s: officers.add_officer(s, actor, name))
        if info is not None:
            self.status.ok(tr("{n} è ora referente del monitoraggio.").format(n=info.name))
            self.officer_name.clear()
