"""Correcting the committee before anyone has scored: a member's name typed wrong, a person appointed by mistake.

The service refuses after the member's first mark or comparison, the chair (or a member recorded present in
a session), and an empty reason; this row of buttons only asks for the new name, the reason and a
confirmation, and shows the refusal in the tab's status line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui import dialogs
from ui.chair.common import StatusLine, actor_name, run_action, tr
from ui.host import Desk
from valutazione.services import member_changes
from valutazione.services.committee import MemberInfo


class MemberCorrections(QWidget):
    """«Rinomina…» and «Rimuovi…» on the member selected in the committee table."""

    def __init__(self, host: Desk, status: StatusLine, selected: Callable[[], MemberInfo | None]) -> None:
        super().__init__()
        self.host, self.status, self.selected = host, status, selected
        self.rename_button = QPushButton(tr("Rinomina…"))
        self.rename_button.setToolTip(tr("Corregge il nome di un componente che non ha ancora valutato"))
        self.rename_button.clicked.connect(self.rename)
        self.remove_button = QPushButton(tr("Rimuovi…"))
        self.remove_button.setToolTip(tr("Rimuove un componente nominato per errore, prima di ogni punteggio"))
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.rename_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)

    def _chosen(self) -> MemberInfo | None:
        member = self.selected()
        if member is None:
            self.status.fail(tr("Selezionare nella tabella il componente da correggere."))
        return member

    def _reason(self, title: str, member: MemberInfo) -> str | None:
        reason = dialogs.ask_text(self, title, tr("Motivo della correzione per {m}:").format(m=member.name))
        if reason is not None and not reason.strip():
            self.status.fail(tr("La correzione della commissione richiede un motivo."))
            return None
        return reason

    def rename(self) -> None:
        member = self._chosen()
        if member is None:
            return
        title = tr("Rinomina componente")
        new = dialogs.ask_line(self, title, tr("Nome corretto:"), member.name)
        if new is None:
            return
        reason = self._reason(title, member)
        if reason is None:
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: member_changes.rename_member(s, member.id, new, reason, actor),
            tr("Nome corretto: {old} → {new}.").format(old=member.name, new=" ".join(new.split())),
        )

    def remove(self) -> None:
        member = self._chosen()
        if member is None:
            return
        title = tr("Rimozione dalla commissione")
        reason = self._reason(title, member)
        if reason is None:
            return
        if not dialogs.confirm(
            self,
            title,
            tr(
                "Rimuovere {m} dalla commissione? La rimozione, con il motivo, resta nel registro; le "
                "dichiarazioni di {m} sono eliminate con il componente."
            ).format(m=member.name),
            yes=tr("Rimuovi"),
        ):
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: member_changes.remove_member(s, member.id, reason, actor),
            tr("{m} non fa più parte della commissione.").format(m=member.name),
        )
