"""The admissibility panel: per application the call's formal checks, the import's flags, the outcome.

The checklist lists the call's formal rules with the values of *this* call (cap, minimum co-financing,
deadline) and ticks each one unless the importer flagged it, so the committee sees at a glance what
to discuss. The outcome, its reason and any *soccorso istruttorio* go through the admissibility
service, which refuses a decision without reason or while a request is pending.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.chair.admissibility_lot import LotBox, lot_checks
from ui.chair.common import (
    ERROR_COLOUR,
    EXCLUDED_BG,
    FUNDED_BG,
    OK_COLOUR,
    PARTIAL_BG,
    StatusLine,
    actor_name,
    date_edit,
    day_it,
    euro,
    from_qdate,
    read,
    run_action,
    scrolling,
    tr,
)
from ui.host import Desk
from ui.layout_memory import remember_splitter
from ui.models.filter_bar import SearchableTable
from ui.models.table import CENTER, AnyIndex, Column, RowTableModel
from valutazione.bando import Bando
from valutazione.importers.report import RULES
from valutazione.ranking.status import AdmissibilityOutcome
from valutazione.services import Session, admissibility, lookup, lots
from valutazione.services.admissibility import Checklist, RescueInfo

OUTCOME_LABELS = {o.value: o.label for o in AdmissibilityOutcome}


def formal_checks(b: Bando) -> list[tuple[str, tuple[str, ...]]]:
    """The call's formal rules as the committee reads them, each with the flag codes that break it."""
    return [
        (tr("Inviata entro la scadenza del ") + b.deadline.strftime("%d/%m/%Y %H:%M"), ("fuori_termine",)),
        (tr("Forma giuridica tra quelle ammesse dal bando"), ("forma_giuridica",)),
        (tr("Codice fiscale / partita IVA valido"), ("cf_non_valido",)),
        (tr("Progetto in una zona bersaglio"), ("zona_non_ammessa", "zona_ambigua")),
        (tr("Contributo richiesto non oltre ") + euro(b.cap_cents), ("oltre_massimale",)),
        (
            tr("Cofinanziamento almeno del ") + f"{b.min_cofinancing_percent}% " + tr("del costo totale"),
            ("cofinanziamento_insufficiente",),
        ),
        (tr("Costo totale = contributo + cofinanziamento"), ("costo_incoerente",)),
        (tr("Allegati completi"), ("allegato_mancante",)),
        *lot_checks(b),
    ]


RESCUE_OUTCOME_LABELS = {"integrata": "integrata", "non_integrata": "non integrata"}


class ChecklistModel(RowTableModel[Checklist]):
    columns = (
        Column[Checklist](tr("Protocollo"), lambda c: c.protocol),
        Column[Checklist](tr("Denominazione"), lambda c: c.applicant),
        Column[Checklist](tr("Segnalazioni"), lambda c: ", ".join(RULES.get(r, r) for r, _ in c.flags)),
        Column[Checklist](tr("Esito"), lambda c: OUTCOME_LABELS.get(c.outcome or "", tr("da decidere")), str, CENTER),
        Column[Checklist](tr("Soccorso"), lambda c: tr("in attesa") if c.rescue_pending else "", str, CENTER),
    )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            row = self.row_at(index.row())
            if row.outcome is None:
                return QColor(PARTIAL_BG) if row.flags else None
            return QColor(FUNDED_BG if row.outcome == "ammissibile" else EXCLUDED_BG)
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            row = self.row_at(index.row())
            lines = [f"{RULES.get(r, r)}: {d}" for r, d in row.flags] or [tr("Nessuna segnalazione dall'import")]
            if row.outcome:
                lines.append(tr("Esito: ") + f"{OUTCOME_LABELS[row.outcome]} — {row.reason}")
            return "\n".join(lines)
        return super().data(index, role)


class AdmissibilityPanel(QWidget):
    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.model = ChecklistModel(parent=self)
        self.view = SearchableTable(
            self.model,
            "domande",
            tr("Cerca per protocollo, denominazione o esito (Ctrl+F)"),
            key="ammissibilita/domande",
        )
        self.table = self.view.table
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.all_button = QPushButton(tr("Dichiara ammissibili le domande senza segnalazioni"))
        self.all_button.clicked.connect(self.mark_all)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view)
        left_layout.addWidget(self.all_button)

        self.title = QLabel(tr("Selezionare una domanda"))
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the applicant's name comes from the imported file
        self.title.setStyleSheet("font-weight: bold;")
        self.checks = QListWidget()
        self.checks.setWordWrap(True)
        self.checks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.outcome = QComboBox()
        for key, label in OUTCOME_LABELS.items():
            self.outcome.addItem(tr(label), key)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo dell'esito (obbligatorio)"))
        self.decide_button = QPushButton(tr("Registra esito"))
        self.decide_button.clicked.connect(self.decide)
        self.reason.returnPressed.connect(self.decide)
        self.lot_box = LotBox(self.set_lot)  # only for a call divided into lots
        outcome_box = QGroupBox(tr("Esito dell'ammissibilità formale"))
        outcome_form = QFormLayout(outcome_box)
        outcome_form.addRow(tr("Esito:"), self.outcome)
        outcome_form.addRow(tr("Motivo:"), self.reason)
        outcome_form.addRow(self.decide_button)

        self.rescue_info = QLabel()
        self.rescue_info.setWordWrap(True)
        self.documents = QLineEdit()
        self.documents.setPlaceholderText(tr("documenti amministrativi richiesti"))
        self.requested_on = date_edit()
        self.rescue_button = QPushButton(tr("Richiedi integrazione"))
        self.rescue_button.clicked.connect(self.request_rescue)
        self.integrated = QPushButton(tr("Chiudi: integrata"))
        self.not_integrated = QPushButton(tr("Chiudi: non integrata"))
        self.integrated.clicked.connect(lambda: self.close_rescue("integrata"))
        self.not_integrated.clicked.connect(lambda: self.close_rescue("non_integrata"))
        rescue_box = QGroupBox(tr("Soccorso istruttorio (solo documenti amministrativi)"))
        rescue_form = QFormLayout(rescue_box)
        rescue_form.addRow(self.rescue_info)
        rescue_form.addRow(tr("Documenti:"), self.documents)
        rescue_form.addRow(tr("Richiesto il:"), self.requested_on)
        rescue_form.addRow(self.rescue_button)
        closing = QHBoxLayout()
        closing.addWidget(self.integrated)
        closing.addWidget(self.not_integrated)
        rescue_form.addRow(closing)

        self.overdue = QListWidget()
        self.overdue.itemDoubleClicked.connect(lambda item: self.select_domanda(item.data(Qt.ItemDataRole.UserRole)))
        overdue_box = QGroupBox(tr("Soccorsi scaduti senza risposta (doppio clic per aprire)"))
        QVBoxLayout(overdue_box).addWidget(self.overdue)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(QLabel(tr("Verifiche formali del bando:")))
        right_layout.addWidget(self.checks, 2)
        right_layout.addWidget(self.lot_box)
        right_layout.addWidget(outcome_box)
        right_layout.addWidget(rescue_box)
        right_layout.addWidget(overdue_box, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scrolling(right))
        splitter.setSizes([700, 600])
        remember_splitter(splitter, "ammissibilita/divisore")
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.rescues: dict[int, RescueInfo] = {}
        self.closed: dict[int, list[admissibility.ClosedRescue]] = {}
        self.bando: Bando | None = None
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        current = self.current()
        today = date.today()

        def load(s: Session) -> tuple[Bando, list[Checklist], dict[int, RescueInfo], list[RescueInfo]]:
            pending = admissibility.pending_rescues(s)
            overdue = [pending[r.domanda_id] for r in admissibility.overdue_rescues(s, today)]
            self.closed = admissibility.closed_rescues(s)
            return lookup.rules(s), admissibility.checklist(s), pending, overdue

        self.bando, rows, self.rescues, overdue = read(self.host, load)
        self.lot_box.set_call(self.bando)
        self.model.set_rows(rows)
        self.overdue.clear()
        for r in overdue:
            item = QListWidgetItem(f"{r.protocol} — {tr('scaduto il')} {day_it(r.deadline)}: {r.documents}")
            item.setData(Qt.ItemDataRole.UserRole, r.domanda_id)
            item.setForeground(QBrush(QColor(ERROR_COLOUR)))
            self.overdue.addItem(item)
        if current is not None:
            self.select_domanda(current.domanda_id)
        else:
            self._show_selected()

    def current(self) -> Checklist | None:
        row: Checklist | None = self.view.selected()
        return row

    def select_domanda(self, domanda_id: int) -> None:
        for i, row in enumerate(self.model.rows):
            if row.domanda_id == domanda_id:
                self.view.select_source_row(i)
                return

    def _show_selected(self) -> None:
        c = self.current()
        self.checks.clear()
        for w in (self.decide_button, self.rescue_button, self.integrated, self.not_integrated):
            w.setEnabled(c is not None)
        self.lot_box.show_application(c)
        if c is None or self.bando is None:
            self.title.setText(tr("Selezionare una domanda"))
            self.rescue_info.clear()
            return
        self.title.setText(f"{c.protocol} — {c.applicant}")
        flags = dict(c.flags)
        for label, codes in formal_checks(self.bando):
            broken = [flags[code] for code in codes if code in flags]
            item = QListWidgetItem(("✖ " if broken else "✔ ") + label + (f" — {'; '.join(broken)}" if broken else ""))
            item.setForeground(QBrush(QColor(ERROR_COLOUR if broken else OK_COLOUR)))
            item.setToolTip("\n".join(broken) or tr("Nessuna segnalazione dall'import su questa regola"))
            self.checks.addItem(item)
        if c.outcome:
            self.outcome.setCurrentIndex(self.outcome.findData(c.outcome))
            self.reason.setText(c.reason)
        else:
            # a formal defect (a lot missing included) is proposed as an exclusion, with the import's reason
            proposed = admissibility.ESCLUSA if c.flags else admissibility.AMMISSIBILE
            self.outcome.setCurrentIndex(self.outcome.findData(proposed.value))
            self.reason.setText("; ".join(f"{RULES.get(r, r)}: {d}" for r, d in c.flags))
        rescue = self.rescues.get(c.domanda_id)
        if rescue:
            self.rescue_info.setText(
                tr("Richiesta del {r}, scadenza {d}: {docs}").format(
                    r=day_it(rescue.requested_on), d=day_it(rescue.deadline), docs=rescue.documents
                )
            )
        else:
            deadline = date.today() + timedelta(days=self.bando.rescue_days)
            self.rescue_info.setText(
                tr("Nessuna richiesta in corso. Scadenza predefinita: {n} giorni ({d}).").format(
                    n=self.bando.rescue_days, d=day_it(deadline)
                )
            )
        history = self.closed.get(c.domanda_id, [])
        if history:  # a closed request stays in sight: the admissibility reason may rest on it
            self.rescue_info.setText(
                self.rescue_info.text()
                + "\n"
                + "\n".join(
                    tr("Precedente: richiesta del {r} ({docs}), {o} il {c}.").format(
                        r=day_it(h.requested_on),
                        docs=h.documents,
                        o=RESCUE_OUTCOME_LABELS.get(h.outcome, h.outcome),
                        c=day_it(h.closed_on),
                    )
                    for h in history
                )
            )
        self.rescue_button.setEnabled(rescue is None)
        self.integrated.setEnabled(rescue is not None)
        self.not_integrated.setEnabled(rescue is not None)

    def decide(self) -> None:
        c = self.current()
        if c is None:
            return
        outcome, reason, actor = str(self.outcome.currentData()), self.reason.text(), actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: admissibility.decide(s, c.domanda_id, outcome, reason, actor),
            tr("Esito registrato per ") + c.protocol,
        )

    def set_lot(self, code: str, reason: str) -> None:
        c = self.current()
        if c is None:
            return
        if not code:
            self.status.fail(tr("Scegliere il lotto in cui concorre la domanda ") + c.protocol + ".")
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: lots.set_lot(s, c.protocol, code, reason, actor),
            tr("Lotto {code} indicato per {p}.").format(code=code, p=c.protocol),
        )

    def mark_all(self) -> None:
        actor = actor_name(self.host)
        reason = tr("Requisiti formali verificati: nessuna segnalazione")
        done = run_action(self.host, self.status, lambda s: admissibility.mark_all_admissible(s, actor, reason))
        if done is not None:
            self.status.ok(tr("Dichiarate ammissibili {n} domande.").format(n=len(done)))

    def request_rescue(self) -> None:
        c = self.current()
        if c is None:
            return
        docs, day, actor = self.documents.text(), from_qdate(self.requested_on.date()), actor_name(self.host)
        done = run_action(
            self.host,
            self.status,
            lambda s: admissibility.request_rescue(s, c.domanda_id, docs, actor, day),
            tr("Soccorso istruttorio richiesto per ") + c.protocol,
        )
        if done is not None:
            self.documents.clear()  # the next request starts blank, not with this one's documents

    def close_rescue(self, outcome: str) -> None:
        c = self.current()
        rescue = self.rescues.get(c.domanda_id) if c else None
        if rescue is None:
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: admissibility.close_rescue(s, rescue.id, outcome, date.today(), actor),
            tr("Soccorso istruttorio chiuso."),
        )
