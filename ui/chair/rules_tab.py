"""The rules of the open file: editable freely until the first application is opened or scored,
then only with a reason that is audited and listed for the minutes (``services.rules``)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.chair.common import ERROR_COLOUR, StatusLine, actor_name, day_it, read, run_action, scrolling, tr
from ui.chair.rules_editor import SECTIONS, RulesEditor, section_of
from ui.host import Desk
from valutazione.errors import BandoError
from valutazione.services import lookup, rules

TITLES = {"generale": "Dati del bando", "zone": "Zone bersaglio", "griglia": "Griglia", "valutazione": "Valutazione"}


class RulesTab(QWidget):
    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.editor = RulesEditor(read(host, lambda s: lookup.rules(s).to_mapping()))
        self.sections = QTabWidget()
        for key in SECTIONS:
            self.sections.addTab(scrolling(self.editor.sections[key]), tr(TITLES[key]))  # fields keep their height
        self.lock = QLabel()
        self.lock.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo della modifica (obbligatorio dopo l'apertura delle domande)"))
        self.save_button = QPushButton(tr("Salva le regole"))
        self.save_button.clicked.connect(self.save)
        self.changes = QListWidget()
        self.changes.setMaximumHeight(110)
        self.status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.lock)
        layout.addWidget(self.sections, 3)
        layout.addLayout(row)
        layout.addWidget(QLabel(tr("Modifiche registrate per il verbale:")))
        layout.addWidget(self.changes, 1)  # the record of changes gives way to the fields on a short screen
        layout.addWidget(self.status)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        locked, changes, final = read(
            self.host, lambda s: (rules.rules_locked(s), rules.rule_changes(s), rules.final_version(s))
        )
        for key in SECTIONS:
            self.editor.sections[key].setEnabled(final is None)
        self.reason.setEnabled(final is None)
        self.save_button.setEnabled(final is None and not self.host.db.read_only)
        self.save_button.setToolTip("")
        if final is not None:
            self.lock.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
            self.lock.setText(
                tr(
                    "Regole in sola lettura: la graduatoria è stata approvata in via definitiva (versione {n}). "
                    "Le regole restano quelle con cui è stata calcolata, perché chiunque possa ricalcolarla."
                ).format(n=final)
            )
            self.save_button.setToolTip(tr("Graduatoria definitiva approvata: le regole non si modificano più."))
        elif locked:
            self.lock.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.lock.setText(
                tr(
                    "Le domande sono già state aperte o valutate: ogni modifica richiede un motivo, "
                    "resta nel registro e compare nel verbale."
                )
            )
        else:
            self.lock.setStyleSheet("")
            self.lock.setText(tr("Le regole si possono modificare liberamente finché nessuna domanda è aperta."))
        self.changes.clear()
        for c in changes:
            keys = ", ".join(f"{k}: {b} → {a}" for k, b, a in c.changes)
            self.changes.addItem(f"{day_it(c.at)} — {c.actor}: {keys}. {tr('Motivo')}: {c.reason}")

    def save(self) -> None:
        try:
            bando = self.editor.validate()
        except BandoError as exc:
            self.sections.setCurrentIndex(SECTIONS.index(section_of(exc.key)))
            self.status.fail(str(exc))
            return
        reason, actor = self.reason.text(), actor_name(self.host)
        change = run_action(self.host, self.status, lambda s: rules.update_rules(s, actor, bando, reason))
        if change is not None:
            self.status.ok(tr("Regole salvate: {n} modifiche.").format(n=len(change.changes)))
            self.reason.clear()
