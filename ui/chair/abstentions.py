"""The chair's list of abstentions (declared conflicts of interest) and their withdrawal with a reason.

The withdrawal goes through ``services.abstentions`` after a confirmation: it is logged with the original
reason, and the member is asked to declare again the next time the application is opened.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout

from ui import dialogs
from ui.chair.common import StatusLine, actor_name, day_it, read, run_action, tr
from ui.host import Desk
from ui.models.filter_bar import SearchableTable
from ui.models.table import Column, RowTableModel
from valutazione.services.abstentions import AbstentionInfo, list_abstentions, withdraw_abstention


class AbstentionsModel(RowTableModel[AbstentionInfo]):
    columns = (
        Column[AbstentionInfo](tr("Domanda"), lambda a: a.protocol),
        Column[AbstentionInfo](tr("Commissario"), lambda a: a.member),
        Column[AbstentionInfo](tr("Motivo dichiarato"), lambda a: a.reason),
        Column[AbstentionInfo](tr("Dichiarata il"), lambda a: a.declared_at, day_it),
    )


class AbstentionsBox(QGroupBox):
    """Who abstains on what; «Ritira astensione…» on the selected line."""

    def __init__(self, host: Desk, status: StatusLine) -> None:
        super().__init__(tr("Astensioni per conflitto di interessi"))
        self.host, self.status = host, status
        self.model = AbstentionsModel(parent=self)
        self.view = SearchableTable(self.model, "astensioni", key="commissione/astensioni")
        self.table = self.view.table
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(tr("Nessun commissario si è astenuto."))
        self.withdraw_button = QPushButton(tr("Ritira astensione…"))
        self.withdraw_button.setToolTip(
            tr("Per un conflitto dichiarato per errore: il commissario dovrà dichiarare di nuovo sulla domanda")
        )
        self.withdraw_button.clicked.connect(self.withdraw)
        row = QHBoxLayout()
        row.addWidget(self.empty)
        row.addStretch(1)
        row.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(read(self.host, list_abstentions))
        self.empty.setVisible(self.model.rowCount() == 0)
        self.withdraw_button.setEnabled(self.model.rowCount() > 0 and not self.host.db.read_only)

    def selected(self) -> AbstentionInfo | None:
        chosen: AbstentionInfo | None = self.view.selected()  # through the filter: the row the user sees
        return chosen

    def withdraw(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.status.fail(tr("Selezionare nell'elenco delle astensioni quella da ritirare."))
            return
        reason = dialogs.ask_text(
            self,
            tr("Ritiro dell'astensione"),
            tr("Motivo del ritiro dell'astensione di {m} sulla domanda {p}:").format(
                m=chosen.member, p=chosen.protocol
            ),
        )
        if reason is None:
            return
        if not reason.strip():
            self.status.fail(tr("Il ritiro dell'astensione richiede un motivo."))
            return
        if not dialogs.confirm(
            self,
            tr("Ritiro dell'astensione"),
            tr(
                "Ritirare l'astensione di {m} sulla domanda {p}? Il ritiro resta nel registro con il motivo; "
                "{m} dovrà dichiarare di nuovo l'assenza o la presenza di conflitti aprendo la domanda. "
                "Una scheda già inviata da {m} su questa domanda torna in bozza: conta di nuovo solo quando "
                "{m} la invia dopo la nuova dichiarazione."
            ).format(m=chosen.member, p=chosen.protocol),
            yes=tr("Ritira"),
        ):
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: withdraw_abstention(s, chosen.member_id, chosen.domanda_id, reason, actor),
            tr("Astensione di {m} sulla domanda {p} ritirata.").format(m=chosen.member, p=chosen.protocol),
        )
