"""The admissibility screen's part for a call divided into lots: the lot checks in the formal checklist and
the box where the chair puts an application in its lot.

An application without a lot of the call (not given in the import, or a lot the call does not have) cannot
be ranked anywhere: like every formal defect it is proposed as *esclusa* with the import's reason, and the
chair can instead set the lot here, with a mandatory reason that the audit log keeps
(``services.lots.set_lot``); the lot's own caps and co-financing minimum are then checked again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from ui.chair.common import euro, tr
from valutazione.bando import Bando
from valutazione.services.admissibility import Checklist

NO_LOT = "lotto_mancante"


def lot_checks(b: Bando) -> list[tuple[str, tuple[str, ...]]]:
    """The lot rules of the call as checklist lines, each with the flag codes that break it (none without lots)."""
    rules = b.lots
    checks: list[tuple[str, tuple[str, ...]]] = []
    if rules.lots:
        codes = ", ".join(lot.code for lot in rules.lots)
        checks.append((tr("Lotto indicato tra quelli del bando (") + codes + ")", (NO_LOT,)))
        caps = "; ".join(f"{lot.code} {euro(lot.cap_cents)}" for lot in rules.lots)
        checks.append((tr("Contributo non oltre il massimale del lotto (") + caps + ")", ("oltre_massimale_lotto",)))
        if any(lot.min_cofinancing_percent is not None for lot in rules.lots):
            checks.append((tr("Cofinanziamento almeno il minimo del lotto"), ("cofinanziamento_lotto",)))
    if rules.project_types:
        kinds = "; ".join(f"{t.name} {euro(t.cap_cents)}" for t in rules.project_types)
        checks.append((tr("Tipo di progetto previsto dal bando"), ("tipo_progetto_sconosciuto",)))
        checks.append((tr("Contributo non oltre il massimale del tipo (") + kinds + ")", ("oltre_massimale_tipo",)))
    return checks


class LotBox(QGroupBox):
    """The application's lot, and the chair's change of it with its reason (only for a call with lots)."""

    def __init__(self, assign: Callable[[str, str], None], parent: QWidget | None = None) -> None:
        super().__init__(tr("Lotto della domanda"), parent)
        self._codes: list[str] = []
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.lot = QComboBox()
        self.lot.setPlaceholderText(tr("scegliere il lotto"))  # nothing preselected for a missing lot
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo dell'indicazione del lotto (obbligatorio)"))
        self.button = QPushButton(tr("Assegna il lotto"))
        self.button.clicked.connect(lambda: assign(self.code(), self.reason.text()))
        form = QFormLayout(self)
        form.addRow(self.current)
        form.addRow(tr("Lotto:"), self.lot)
        form.addRow(tr("Motivo:"), self.reason)
        form.addRow(self.button)
        self.hide()

    def set_call(self, b: Bando) -> None:
        """Offers the call's lots; the box stays hidden for a call without lots."""
        lots = [(lot.code, lot.name) for lot in b.lots.lots]
        if [code for code, _ in lots] != self._codes:
            self._codes = [code for code, _ in lots]
            self.lot.clear()
            self.lot.addItems([f"{code} – {name}" for code, name in lots])
        self.setVisible(bool(lots))

    def show_application(self, c: Checklist | None) -> None:
        self.button.setEnabled(c is not None)
        if c is None:
            self.current.clear()
            return
        if c.lot in self._codes:
            self.current.setText(tr("Concorre nel lotto ") + self.lot.itemText(self._codes.index(c.lot)) + ".")
            self.lot.setCurrentIndex(self._codes.index(c.lot))
        else:
            self.current.setText(
                tr("Lotto non indicato o non previsto dal bando: la domanda non può entrare in graduatoria. ")
                + tr("Indicare il lotto, oppure escluderla.")
            )
            self.lot.setCurrentIndex(-1)
        self.reason.clear()

    def code(self) -> str:
        index = self.lot.currentIndex()
        return self._codes[index] if 0 <= index < len(self._codes) else ""
