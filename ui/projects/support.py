"""The project page's support (plan and log) and indicators (baseline, target, values) tabs.

Hours beyond a phase's plan are refused by the core unless a reason is given: the refusal appears in the
status line and the cursor goes to the reason field, so the second attempt is one field away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.chair.common import ERROR_COLOUR, actor_name, date_edit, day_it, from_qdate, tr
from ui.models.filter_bar import SearchableTable
from ui.models.table import RIGHT, Column, RowTableModel
from ui.projects.fields import add_button, group, line, plain
from valutazione.projects import impacts, support
from valutazione.projects.impacts import IndicatorLine
from valutazione.projects.numbers import parse_number as number
from valutazione.projects.support import PhaseStatus, SessionInfo
from valutazione.projects.views import ProjectDetail
from valutazione.services import Session

if TYPE_CHECKING:
    from ui.projects.page import ProjectPage


class PhasesModel(RowTableModel[PhaseStatus]):
    columns = (
        Column[PhaseStatus](tr("Fase"), lambda r: r.name),
        Column[PhaseStatus](tr("Affiancatore"), lambda r: r.mentor),
        Column[PhaseStatus](tr("Ore piano"), lambda r: r.planned, plain, RIGHT),
        Column[PhaseStatus](tr("Ore svolte"), lambda r: r.used, plain, RIGHT),
    )


class SessionsModel(RowTableModel[SessionInfo]):
    columns = (
        Column[SessionInfo](tr("Data"), lambda r: r.on_day, day_it),
        Column[SessionInfo](tr("Fase"), lambda r: r.phase),
        Column[SessionInfo](tr("Ore"), lambda r: r.hours, plain, RIGHT),
        Column[SessionInfo](tr("Argomento"), lambda r: r.topic),
        Column[SessionInfo](tr("Prossimi passi"), lambda r: r.next_steps),
        Column[SessionInfo](tr("Oltre il piano perché"), lambda r: r.over_plan_reason),
    )


class SupportTab(QWidget):
    def __init__(self, page: ProjectPage) -> None:
        super().__init__()
        self.page = page
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.phases = PhasesModel(parent=self)
        self.sessions = SessionsModel(parent=self)
        phase_view = SearchableTable(self.phases, "fasi", key="progetti/fasi")
        session_view = SearchableTable(self.sessions, "incontri", key="progetti/incontri")
        self.phase_table, self.session_table = phase_view.table, session_view.table
        for table, wide in ((self.phase_table, 1), (self.session_table, 3)):
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
        self.phase_name = line(tr("es. Prototipazione"))
        self.phase_hours = line(tr("es. 40"))
        self.mentor = line(tr("chi svolge l'affiancamento"))
        self.plan_button = QPushButton(tr("Salva la fase"))
        self.plan_button.clicked.connect(self.plan)
        plan_box, form = group(
            tr("Piano: fase"),
            [(tr("Fase:"), self.phase_name), (tr("Ore:"), self.phase_hours), (tr("Affiancatore:"), self.mentor)],
        )
        add_button(form, self.plan_button)
        self.phase = QComboBox()
        self.day = date_edit()
        self.hours = line(tr("es. 2,5"))
        self.topic = line()
        self.notes = line()
        self.next_steps = line()
        self.over_reason = line(tr("solo per ore oltre il piano della fase"))
        self.log_button = QPushButton(tr("Registra l'incontro"))
        self.log_button.clicked.connect(self.log)
        log_box, form = group(
            tr("Registro: incontro di affiancamento"),
            [
                (tr("Fase:"), self.phase),
                (tr("Data:"), self.day),
                (tr("Ore:"), self.hours),
                (tr("Argomento:"), self.topic),
                (tr("Note:"), self.notes),
                (tr("Prossimi passi:"), self.next_steps),
                (tr("Motivo ore extra:"), self.over_reason),
            ],
        )
        add_button(form, self.log_button)
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addWidget(QLabel(tr("<b>Piano di affiancamento</b>")))
        left.addWidget(phase_view, 1)
        left.addWidget(QLabel(tr("<b>Registro degli incontri</b>")))
        left.addWidget(session_view, 2)
        right = QVBoxLayout()
        right.addWidget(plan_box)
        right.addWidget(log_box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def show_detail(self, d: ProjectDetail) -> None:
        st = d.support
        self.setEnabled(st is not None)
        self.phases.set_rows(st.phases if st else ())
        self.sessions.set_rows(st.sessions if st else ())
        current = self.phase.currentText()
        self.phase.clear()
        self.phase.addItems([p.name for p in st.phases] if st else [])
        if current:
            self.phase.setCurrentText(current)
        if st is None:
            self.summary.setText(tr("L'affiancamento si pianifica dopo la firma della convenzione."))
            return
        text = tr("Ore svolte {u} su {p} del piano; dovute al {d}: {due}.").format(
            u=plain(st.used), p=plain(st.planned), d=day_it(self.page.today), due=plain(st.due)
        )
        if st.behind:
            text = (
                f"<span style='color:{ERROR_COLOUR}; font-weight:bold'>"
                + text
                + tr(" In ritardo sul piano.")
                + "</span>"
            )
        self.summary.setText(text)

    def plan(self) -> None:
        p = self.page
        actor, protocol = actor_name(p.host), p.protocol
        name, hours, mentor = self.phase_name.text(), self.phase_hours.text(), self.mentor.text()
        info = p.act(lambda s: support.plan_phase(s, actor, protocol, name, number(hours, tr("Ore del piano")), mentor))
        if info is not None:
            p.status.ok(tr("Fase «{n}» del piano: {h} ore.").format(n=info.name, h=plain(info.planned)))
            for field in (self.phase_name, self.phase_hours, self.mentor):
                field.clear()

    def log(self) -> None:
        p = self.page
        actor, protocol, phase = actor_name(p.host), p.protocol, self.phase.currentText()
        day, hours, topic = from_qdate(self.day.date()), self.hours.text(), self.topic.text()
        notes, steps, reason = self.notes.text(), self.next_steps.text(), self.over_reason.text()
        info = p.act(
            lambda s: support.log_session(
                s, actor, protocol, phase, day, number(hours, tr("Ore")), topic, notes, steps, reason
            )
        )
        if info is None:
            if "indicare il motivo" in p.status.text():
                self.over_reason.setFocus()
            return
        p.status.ok(
            tr("Incontro del {d} registrato: {h} ore, fase «{f}».").format(
                d=day_it(info.on_day), h=plain(info.hours), f=info.phase
            )
        )
        for field in (self.hours, self.topic, self.notes, self.next_steps, self.over_reason):
            field.clear()


class IndicatorsModel(RowTableModel[IndicatorLine]):
    columns = (
        Column[IndicatorLine](tr("Codice"), lambda r: r.code),
        Column[IndicatorLine](tr("Indicatore"), lambda r: r.name),
        Column[IndicatorLine](tr("Unità"), lambda r: r.unit),
        Column[IndicatorLine](tr("Partenza"), lambda r: r.baseline, plain, RIGHT),
        Column[IndicatorLine](tr("Obiettivo"), lambda r: r.target, plain, RIGHT),
        Column[IndicatorLine](tr("Valore attuale"), lambda r: r.current, plain, RIGHT),
        Column[IndicatorLine](tr("Rilevato il"), lambda r: r.current_on, day_it),
    )


class IndicatorsTab(QWidget):
    def __init__(self, page: ProjectPage) -> None:
        super().__init__()
        self.page = page
        self.model = IndicatorsModel(parent=self)
        view = SearchableTable(self.model, "indicatori", key="progetti/indicatori")
        self.table = view.table
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.indicator = QComboBox()
        self.baseline = line(tr("es. 0"))
        self.target = line()
        self.target_button = QPushButton(tr("Salva partenza e obiettivo"))
        self.target_button.clicked.connect(self.set_target)
        self.day = date_edit()
        self.value = line()
        self.note = line()
        self.value_button = QPushButton(tr("Registra il valore rilevato"))
        self.value_button.clicked.connect(self.report)
        self.indicator_label = QLabel()
        target_box, form = group(tr("Obiettivo"), [(tr("Partenza:"), self.baseline), (tr("Obiettivo:"), self.target)])
        add_button(form, self.target_button)
        value_box, form2 = group(
            tr("Valore rilevato"), [(tr("Data:"), self.day), (tr("Valore:"), self.value), (tr("Nota:"), self.note)]
        )
        add_button(form2, self.value_button)
        right = QVBoxLayout()
        right.addWidget(QLabel(tr("Indicatore:")))
        right.addWidget(self.indicator)
        right.addWidget(target_box)
        right.addWidget(value_box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(view, 3)
        layout.addLayout(right, 2)

    def show_detail(self, d: ProjectDetail) -> None:
        self.model.set_rows(d.indicators)
        code = self.indicator.currentData()
        self.indicator.clear()
        for ind in d.call_indicators:
            self.indicator.addItem(f"{ind.code} – {ind.name}", ind.code)
        if code is not None:
            self.indicator.setCurrentIndex(max(0, self.indicator.findData(code)))
        self.setEnabled(d.agreement is not None)

    def set_target(self) -> None:
        p = self.page
        actor, protocol, code = actor_name(p.host), p.protocol, str(self.indicator.currentData() or "")
        base, target = self.baseline.text(), self.target.text()

        def action(s: Session) -> bool:
            baseline, goal = number(base, tr("Partenza")), number(target, tr("Obiettivo"))
            impacts.set_target(s, actor, protocol, code, baseline, goal)
            return True

        if p.act(action):
            p.status.ok(tr("Indicatore {c}: partenza e obiettivo registrati.").format(c=code))

    def report(self) -> None:
        p = self.page
        actor, protocol, code = actor_name(p.host), p.protocol, str(self.indicator.currentData() or "")
        day, value, note = from_qdate(self.day.date()), self.value.text(), self.note.text()

        def action(s: Session) -> bool:
            impacts.report_value(s, actor, protocol, code, day, number(value, tr("Valore")), note)
            return True

        if p.act(action):
            p.status.ok(tr("Indicatore {c}: valore del {d} registrato.").format(c=code, d=day_it(day)))
            self.value.clear()
            self.note.clear()
