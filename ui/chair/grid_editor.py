"""The scoring grid as an editable tree: criteria with their maximum and threshold, sub-criteria below.

A tree, not a flat table, because a sub-criterion belongs to exactly one criterion and the core checks
that the sub-criteria's maxima add up to the criterion's; the running total shown under the tree lets the
chair see the grid's maximum (100 for the Milan call) while typing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import tr


def amount_text(text: str) -> str:
    """``€ 1.128.100,00`` or ``1128100.00`` → ``1128100.00``; anything else is left for the core to refuse."""
    cleaned = text.replace("€", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return cleaned


def _editable(texts: list[str]) -> QTreeWidgetItem:
    item = QTreeWidgetItem(texts)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
    return item


def _shown(value: Any) -> str:
    return "" if value is None else str(value).replace(".", ",")


class GridEditor(QWidget):
    """Criteria (top level) and sub-criteria (children); ``criteria()`` gives the TOML ``criteri`` list."""

    def __init__(self) -> None:
        super().__init__()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [
                tr("Codice"),
                tr("Criterio / sottocriterio"),
                tr("Massimo"),
                tr("Soglia"),
                tr("Confronto a coppie"),
            ]
        )
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 90), (2, 80), (3, 80), (4, 140)):
            self.tree.setColumnWidth(column, width)
        self.tree.setToolTip(tr("Confronto a coppie: vuoto, «somma» o «media» (variante di aggregazione)"))
        self.tree.itemChanged.connect(self._update_total)
        self.total = QLabel()
        buttons = QHBoxLayout()
        for label, slot in (
            ("Aggiungi criterio", self.add_criterion),
            ("Aggiungi sottocriterio", self.add_subcriterion),
            ("Rimuovi", self.remove_current),
        ):
            button = QPushButton(tr(label))
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(tr("Doppio clic su una cella per modificarla. Soglia vuota: nessuna soglia sul criterio."))
        )
        layout.addWidget(self.tree)
        layout.addLayout(buttons)

    def load(self, criteria: list[dict[str, Any]]) -> None:
        self.tree.clear()
        for c in criteria:
            item = _editable(
                [
                    c.get("codice", ""),
                    c.get("nome", ""),
                    _shown(c.get("massimo")),
                    _shown(c.get("soglia")),
                    c.get("confronto_a_coppie") or "",
                ]
            )
            for s in c.get("sottocriteri", []):
                item.addChild(
                    _editable([s.get("codice", ""), s.get("descrizione", ""), _shown(s.get("massimo")), "", ""])
                )
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        self._update_total()

    def criteria(self) -> list[dict[str, Any]]:
        out = []
        for item in _top_items(self.tree):
            out.append(
                {
                    "codice": item.text(0).strip(),
                    "nome": item.text(1).strip(),
                    "massimo": amount_text(item.text(2)),
                    "soglia": amount_text(item.text(3)) or None,
                    "confronto_a_coppie": item.text(4).strip() or None,
                    "sottocriteri": [
                        {
                            "codice": child.text(0).strip(),
                            "descrizione": child.text(1).strip(),
                            "massimo": amount_text(child.text(2)),
                        }
                        for child in _children(item)
                    ],
                }
            )
        return out

    def add_criterion(self) -> None:
        item = _editable(["", tr("Nuovo criterio"), "0", "", ""])
        self.tree.addTopLevelItem(item)
        self.tree.setCurrentItem(item)

    def add_subcriterion(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            return
        parent = current.parent() or current
        parent.addChild(_editable(["", tr("Nuovo sottocriterio"), "0", "", ""]))
        parent.setExpanded(True)

    def remove_current(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            return
        parent = current.parent()
        if parent is None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(current))
        else:
            parent.removeChild(current)
        self._update_total()

    def _update_total(self) -> None:
        total = Decimal(0)
        for item in _top_items(self.tree):
            try:
                total += Decimal(amount_text(item.text(2)) or "0")
            except InvalidOperation:
                continue
        self.total.setText(tr("Punteggio massimo totale: ") + f"{total.normalize():f}".replace(".", ","))


def _top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """The criteria rows (Qt types each lookup as optional; an index below the count always has one)."""
    found = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in found if item is not None]


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    found = (item.child(j) for j in range(item.childCount()))
    return [child for child in found if child is not None]
