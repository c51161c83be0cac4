"""The call's rules as editable forms, in the TOML layout that ``bando_from_mapping`` validates.

The editor knows no rule: it turns what the user typed into the same mapping a TOML file gives and
lets the core validate it, so the Italian error names the TOML key (``bando.budget``) exactly as it
would for a file. ``section_of`` maps that key back to the form that holds it, so the GUI can show it.
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import tr
from ui.chair.grid_editor import GridEditor, amount_text
from valutazione.bando import Bando, bando_from_mapping
from valutazione.errors import BandoError
from valutazione.money import format_decimal_it

FUNDING_LABELS = {
    "parziale": "parziale: l'ultima domanda che non entra riceve il residuo",
    "rigida": "rigida: ci si ferma alla prima domanda che non entra",
    "salta": "salta: si saltano le domande che non entrano e si prosegue",
}
RESCALING_LABELS = {
    "nessuna": "nessuna",
    "prima": "prima (per criterio)",
    "prima_e_seconda": "prima e seconda",
}
METHOD_LABELS = {"coefficienti": "coefficienti di giudizio 0–1", "punti": "punti diretti"}
ROUNDING_LABELS = {"half_up": "per eccesso da 5 (half-up)", "half_even": "al pari (half-even)"}
PRECISION_LABELS = {"minuto": "al minuto (come il registro di protocollo)", "secondo": "al secondo"}
PRECISION_SHORT = {"minuto": "al minuto", "secondo": "al secondo"}
PRECISION_TIP = (
    "Con quale precisione si confrontano gli orari di invio nella catena di spareggio («data_invio»).\n"
    "Al minuto (predefinito): due domande inviate nello stesso minuto restano pari anche se i secondi "
    "differiscono, perché molti registri di protocollo annotano solo il minuto; la parità si risolve "
    "con il sorteggio pubblico.\n"
    "Al secondo: precede la domanda inviata prima, anche di pochi secondi (solo se la piattaforma di "
    "invio registra i secondi in modo affidabile)."
)
SECTIONS = ("generale", "zone", "griglia", "valutazione")


def section_of(key: str) -> str:
    """Which form holds a TOML key named by a ``BandoError``."""
    if key.startswith("zone"):
        return "zone"
    if key.startswith("criteri"):
        return "griglia"
    if key.startswith("valutazione"):
        return "valutazione"
    return "generale"


def _spread_text(value: float, before: Any) -> str:
    """Keeps the stored spelling when the value did not change, so an unchanged rule never shows as edited."""
    shown = f"{value:.2f}"
    try:
        if before is not None and Decimal(str(before)) == Decimal(shown):
            return str(before)
    except InvalidOperation:
        pass
    return shown


def _money_shown(value: Any) -> str:
    try:
        return format_decimal_it(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _combo(labels: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for key, label in labels.items():
        box.addItem(tr(label), key)
    return box


def _set_combo(box: QComboBox, key: Any) -> None:
    index = box.findData(key)
    box.setCurrentIndex(max(index, 0))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().hide()
    return table


def _cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text().strip() if item else ""


def _rows_buttons(table: QTableWidget, label: str) -> QHBoxLayout:
    add, remove = QPushButton(tr(label)), QPushButton(tr("Rimuovi riga"))
    add.clicked.connect(lambda: table.insertRow(table.rowCount()))
    remove.clicked.connect(lambda: table.removeRow(table.currentRow()) if table.currentRow() >= 0 else None)
    row = QHBoxLayout()
    row.addWidget(add)
    row.addWidget(remove)
    row.addStretch(1)
    return row


class RulesEditor(QWidget):
    """Four forms (``self.sections``) over one mapping; ``mapping()`` returns it, ``validate()`` checks it."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        super().__init__()
        self._base = copy.deepcopy(mapping)
        self.sections: dict[str, QWidget] = {
            "generale": self._general(),
            "zone": self._zones(),
            "griglia": self._grid_page(),
            "valutazione": self._evaluation(),
        }
        self.load(mapping)

    # -- building the forms -------------------------------------------------------------------------

    def _general(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.code, self.title, self.authority = QLineEdit(), QLineEdit(), QLineEdit()
        self.programme, self.action, self.rup, self.cup = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.budget, self.cap, self.cofin = QLineEdit(), QLineEdit(), QLineEdit()
        self.deadline = QDateTimeEdit()
        self.deadline.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.deadline.setCalendarPopup(True)
        self.quorum = QSpinBox()
        self.quorum.setRange(1, 50)
        self.rescue_days = QSpinBox()
        self.rescue_days.setRange(1, 365)
        self.legal_forms = QPlainTextEdit()
        self.legal_forms.setToolTip(tr("Una forma giuridica per riga"))
        for label, widget in (
            ("Codice:", self.code),
            ("Titolo:", self.title),
            ("Ente:", self.authority),
            ("Programma:", self.programme),
            ("Azione:", self.action),
            ("R.U.P.:", self.rup),
            ("CUP:", self.cup),
            ("Budget (€):", self.budget),
            ("Contributo massimo per progetto (€):", self.cap),
            ("Cofinanziamento minimo (% del costo totale):", self.cofin),
            ("Scadenza domande:", self.deadline),
            ("Quorum (valutatori minimi per domanda):", self.quorum),
            ("Giorni per il soccorso istruttorio:", self.rescue_days),
            ("Forme giuridiche ammesse (una per riga):", self.legal_forms),
        ):
            form.addRow(tr(label), widget)
        return page

    def _zones(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.zones_table = _table(
            [tr("Numero"), tr("Nome (quartieri)"), tr("Altri nomi accettati, separati da virgola")]
        )
        layout.addWidget(QLabel(tr("Zone bersaglio: una domanda fuori da queste zone viene segnalata all'import.")))
        layout.addWidget(self.zones_table)
        layout.addLayout(_rows_buttons(self.zones_table, "Aggiungi zona"))
        return page

    def _grid_page(self) -> QWidget:
        self.grid_editor = GridEditor()
        self.grid = self.grid_editor.tree
        self.grid_total = self.grid_editor.total
        return self.grid_editor

    def _evaluation(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        form = QFormLayout()
        self.method = _combo(METHOD_LABELS)
        self.points_step = QLineEdit()
        self.justification = QCheckBox(tr("Motivazione obbligatoria per ogni sottocriterio"))
        self.total_threshold = QLineEdit()
        self.total_threshold.setPlaceholderText(tr("vuoto: nessuna soglia sul totale"))
        self.rescaling = _combo(RESCALING_LABELS)
        self.rounding_places = QSpinBox()
        self.rounding_places.setRange(0, 6)
        self.rounding_mode = _combo(ROUNDING_LABELS)
        self.tie_chain = QLineEdit()
        self.tie_chain.setToolTip(tr("Codici dei criteri in ordine, poi «data_invio»; separati da virgola"))
        self.submission_precision = _combo(PRECISION_LABELS)
        self.submission_precision.setToolTip(tr(PRECISION_TIP))
        self.funding_rule = _combo(FUNDING_LABELS)
        self.spread = QDoubleSpinBox()
        self.spread.setRange(0, 1)
        self.spread.setSingleStep(0.05)
        self.spread.setDecimals(2)
        self.spread.setLocale(QLocale(QLocale.Language.Italian, QLocale.Country.Italy))
        for label, widget in (
            ("Metodo:", self.method),
            ("Passo dei punti diretti:", self.points_step),
            ("", self.justification),
            ("Soglia sul totale:", self.total_threshold),
            ("Riparametrazione:", self.rescaling),
            ("Decimali di arrotondamento:", self.rounding_places),
            ("Arrotondamento:", self.rounding_mode),
            ("Catena di spareggio:", self.tie_chain),
            ("Orario di invio confrontato:", self.submission_precision),
            ("Regola di finanziamento:", self.funding_rule),
            ("Scarto che genera un avviso:", self.spread),
        ):
            form.addRow(tr(label), widget)
        scale_box = QVBoxLayout()
        self.scale_table = _table([tr("Coefficiente"), tr("Giudizio")])
        scale_box.addWidget(QLabel(tr("Scala dei giudizi:")))
        scale_box.addWidget(self.scale_table)
        scale_box.addLayout(_rows_buttons(self.scale_table, "Aggiungi giudizio"))
        outer.addLayout(form, 3)
        outer.addLayout(scale_box, 2)
        return page

    def reset(self, mapping: dict[str, Any]) -> None:
        """Starts again from another template or from the rules stored in the file."""
        self._base = copy.deepcopy(mapping)
        self.load(mapping)

    # -- mapping in and out -----------------------------------------------------------------------------

    def load(self, m: dict[str, Any]) -> None:
        head, ev = m["bando"], m["valutazione"]
        for widget, key in (
            (self.code, "codice"),
            (self.title, "titolo"),
            (self.authority, "ente"),
            (self.programme, "programma"),
            (self.action, "azione"),
            (self.rup, "rup"),
            (self.cup, "cup"),
        ):
            widget.setText(str(head.get(key, "")))
        self.budget.setText(_money_shown(head.get("budget", "")))
        self.cap.setText(_money_shown(head.get("contributo_massimo", "")))
        self.cofin.setText(str(head.get("cofinanziamento_minimo_percento", "")).replace(".", ","))
        deadline = head.get("scadenza")
        deadline = deadline if isinstance(deadline, datetime) else datetime.fromisoformat(str(deadline))
        self.deadline.setDateTime(
            QDateTime(deadline.year, deadline.month, deadline.day, deadline.hour, deadline.minute, 0)
        )
        self.quorum.setValue(int(head.get("quorum", 3)))
        self.rescue_days.setValue(int(head.get("soccorso_istruttorio_giorni", 10)))
        self.legal_forms.setPlainText("\n".join(head.get("forme_giuridiche_ammesse", [])))
        self.zones_table.setRowCount(0)
        for z in m.get("zone", []):
            row = self.zones_table.rowCount()
            self.zones_table.insertRow(row)
            for col, text in enumerate((str(z.get("numero", "")), z.get("nome", ""), ", ".join(z.get("alias", [])))):
                self.zones_table.setItem(row, col, QTableWidgetItem(text))
        self.grid_editor.load(m.get("criteri", []))
        _set_combo(self.method, ev.get("metodo", "coefficienti"))
        self.points_step.setText(str(ev.get("passo_punti", "0.5")).replace(".", ","))
        self.justification.setChecked(bool(ev.get("motivazione_obbligatoria", True)))
        threshold = ev.get("soglia_totale")
        self.total_threshold.setText("" if threshold is None else str(threshold).replace(".", ","))
        _set_combo(self.rescaling, ev.get("riparametrazione", "nessuna"))
        self.rounding_places.setValue(int(ev.get("arrotondamento_decimali", 2)))
        _set_combo(self.rounding_mode, ev.get("arrotondamento_modo", "half_up"))
        self.tie_chain.setText(", ".join(ev.get("spareggio", [])))
        _set_combo(self.submission_precision, ev.get("precisione_invio", "minuto"))
        _set_combo(self.funding_rule, ev.get("regola_finanziamento", "parziale"))
        self.spread.setValue(float(str(ev.get("scarto_avviso", "0.3"))))
        self.scale_table.setRowCount(0)
        for step in ev.get("scala", []):
            row = self.scale_table.rowCount()
            self.scale_table.insertRow(row)
            self.scale_table.setItem(row, 0, QTableWidgetItem(str(step.get("valore", "")).replace(".", ",")))
            self.scale_table.setItem(row, 1, QTableWidgetItem(step.get("etichetta", "")))

    def mapping(self) -> dict[str, Any]:
        """What the forms say, in the TOML layout (keys the forms do not show are kept as loaded)."""
        m = copy.deepcopy(self._base)
        head, ev = m.setdefault("bando", {}), m.setdefault("valutazione", {})
        head.update(
            {
                "codice": self.code.text().strip(),
                "titolo": self.title.text().strip(),
                "ente": self.authority.text().strip(),
                "programma": self.programme.text().strip(),
                "azione": self.action.text().strip(),
                "rup": self.rup.text().strip(),
                "cup": self.cup.text().strip(),
                "budget": amount_text(self.budget.text()),
                "contributo_massimo": amount_text(self.cap.text()),
                "cofinanziamento_minimo_percento": amount_text(self.cofin.text()),
                "scadenza": self.deadline.dateTime().toString("yyyy-MM-ddTHH:mm:ss"),
                "quorum": self.quorum.value(),
                "soccorso_istruttorio_giorni": self.rescue_days.value(),
                "forme_giuridiche_ammesse": [
                    x.strip() for x in self.legal_forms.toPlainText().splitlines() if x.strip()
                ],
            }
        )
        zones = []
        for r in range(self.zones_table.rowCount()):
            number = _cell(self.zones_table, r, 0)
            zones.append(
                {
                    "numero": int(number) if number.isdigit() else number,
                    "nome": _cell(self.zones_table, r, 1),
                    "alias": [a.strip() for a in _cell(self.zones_table, r, 2).split(",") if a.strip()],
                }
            )
        m["zone"] = zones
        m["criteri"] = self.grid_editor.criteria()
        ev.update(
            {
                "metodo": self.method.currentData(),
                "passo_punti": amount_text(self.points_step.text()),
                "motivazione_obbligatoria": self.justification.isChecked(),
                "soglia_totale": amount_text(self.total_threshold.text()) or None,
                "riparametrazione": self.rescaling.currentData(),
                "arrotondamento_decimali": self.rounding_places.value(),
                "arrotondamento_modo": self.rounding_mode.currentData(),
                "spareggio": [x.strip() for x in self.tie_chain.text().split(",") if x.strip()],
                "precisione_invio": self.submission_precision.currentData(),
                "regola_finanziamento": self.funding_rule.currentData(),
                "scarto_avviso": _spread_text(self.spread.value(), ev.get("scarto_avviso")),
                "scala": [
                    {
                        "valore": amount_text(_cell(self.scale_table, r, 0)),
                        "etichetta": _cell(self.scale_table, r, 1),
                    }
                    for r in range(self.scale_table.rowCount())
                ],
            }
        )
        return m

    def validate(self) -> Bando:
        """The rules as the core reads them; raises the core's ``BandoError`` naming the wrong key."""
        return bando_from_mapping(self.mapping(), tr("regole del bando"))

    def error_of(self) -> BandoError | None:
        try:
            self.validate()
        except BandoError as exc:
            return exc
        return None
