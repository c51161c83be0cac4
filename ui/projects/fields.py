"""Reading what was typed in a project page: amounts, hours and values the Italian way.

A field that cannot be read raises ``RuleViolation`` naming the field, so ``run_action`` shows it in the
page's status line like any refusal of the core, and nothing is written.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from valutazione.errors import RuleViolation
from valutazione.importers.parsing import parse_amount
from valutazione.money import plain_it


def cents(text: str, field: str) -> int:
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise RuleViolation(
            f"{field}: importo non leggibile «{text}» ({exc}); scrivere per esempio 12.345,00."
        ) from exc


def plain(value: Decimal | None) -> str:
    """A decimal the Italian way without trailing zeros (12,5; 40)."""
    return "—" if value is None else plain_it(value)


def line(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return edit


def group(title: str, rows: list[tuple[str, QWidget]]) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    box.setMaximumWidth(640)  # a form as wide as a 1920-pixel screen is hard to read
    form = QFormLayout(box)
    for label, widget in rows:
        form.addRow(label, widget)
    return box, form


def add_button(form: QFormLayout, button: QPushButton) -> None:
    """The form's action button, at the right under the fields (not stretched across the form)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    form.addRow(row)
