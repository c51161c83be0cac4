"""One funded project's page: agreement, payments, support, indicators; every refusal in its status line.

Each button is one action in one transaction (``run_action``): the core decides, the page only shows the
core's Italian message when it refuses. After a success the host's ``data_changed`` refreshes the list
and, through it, this page.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.chair.common import StatusLine, day_it, euro, read, run_action, tr
from ui.host import Desk
from ui.projects.agreement import AgreementTab, PaymentsTab
from ui.projects.support import IndicatorsTab, SupportTab
from valutazione.projects.states import ACTIVE
from valutazione.projects.views import ProjectDetail, project_detail


class ProjectPage(QWidget):
    back_requested = Signal()

    def __init__(self, host: Desk, protocol: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.protocol = protocol
        self.today = today
        self.detail: ProjectDetail | None = None
        self.back_button = QPushButton(tr("← Elenco dei progetti"))
        self.back_button.clicked.connect(self.back_requested)
        QShortcut(QKeySequence("Esc"), self, self.back_requested.emit)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 12pt;")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.status = StatusLine()
        self.agreement = AgreementTab(self)
        self.payments = PaymentsTab(self)
        self.support = SupportTab(self)
        self.indicators = IndicatorsTab(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.agreement, tr("Convenzione"))
        self.tabs.addTab(self.payments, tr("Erogazioni"))
        self.tabs.addTab(self.support, tr("Affiancamento"))
        self.tabs.addTab(self.indicators, tr("Indicatori"))
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        protocol, today = self.protocol, self.today
        self.detail = d = read(self.host, lambda s: project_detail(s, protocol, today))
        # rich text: the applicant's name and title come from the applications' file, hence escaped
        self.heading.setText(f"<b>{escape(d.protocol)}</b> — {escape(d.applicant)}")
        a = d.agreement
        state = tr("convenzione da firmare") if a is None else tr("convenzione ") + a.state
        facts = [
            f"<i>{escape(d.title)}</i>",
            tr("Zona: ") + escape(d.zone),
            tr("Contributo concesso: ") + euro(d.grant_cents),
            tr("Stato: ") + state,
        ]
        if a is not None:
            binding = a.amount_cents if a.state == ACTIVE else d.paid_cents  # as agreements.binding_cents
            facts.append(tr("Vincolante: ") + euro(binding) + tr(" · erogato: ") + euro(d.paid_cents))
            facts.append(tr("Progetto dal {a} al {b}").format(a=day_it(a.start_on), b=day_it(a.end_on)))
        self.facts.setText(" · ".join(facts[:3]) + "<br>" + " · ".join(facts[3:]))  # two lines fit 1366 px
        for tab in (self.agreement, self.payments, self.support, self.indicators):
            tab.show_detail(d)

    def act(self, action: Any, done: str = "") -> Any:
        """One action, one transaction; the refusal (or the success) in this page's status line."""
        return run_action(self.host, self.status, action, done)
