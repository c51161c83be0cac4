"""The mark editors of the scoring form: a coefficient on the call's labelled scale, or direct points.

Keyboard first: in the coefficient chooser a member types the digits of the value ("8" or "0,8" or
"08" for 0,8 – buono; "1" for 1,0) and arrows move along the scale, without opening the list.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QElapsedTimer, QLocale, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QWidget

from valutazione.bando import Bando, SubCriterion
from valutazione.scoring import format_it

TYPE_AHEAD_MS = 1200


def coefficient_text(value: Decimal, label: str) -> str:
    shown = format_it(value if value != 0 else Decimal(0))
    if "," not in shown and value != 0:
        shown += ",0"
    return f"{shown} – {label}"


def _typed_value(typed: str) -> Decimal | None:
    """What the digits typed so far mean on a 0..1 scale: "8"→0,8 "08"→0,8 "1"→1,0 "0"→0 "05"→0,5."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    if not digits:
        return None
    if digits in ("1", "10"):
        return Decimal("1.0")
    if digits[0] == "0":
        return Decimal(f"0.{digits[1:]}") if len(digits) > 1 else Decimal(0)
    return Decimal(f"0.{digits}")


class CoefficientCombo(QComboBox):
    """A choice on the labelled scale, with an empty first entry for "not yet judged"."""

    def __init__(self, bando: Bando, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(self.tr("— scegliere —"), None)
        for step in bando.scale:
            self.addItem(coefficient_text(step.value, step.label), str(step.value))
        # As wide as the longest label of the call's scale, no wider: the form must fit half a laptop screen.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # A submitted sheet disables its choosers; the value must stay readable, not greyed out.
        self.setStyleSheet("QComboBox:disabled { color: #202020; }")
        self._typed = ""
        self._clock = QElapsedTimer()

    def value(self) -> Decimal | None:
        data = self.currentData()
        return None if data is None else Decimal(data)

    def set_value(self, value: Decimal | None) -> None:
        self.setCurrentIndex(self._index_of(value) if value is not None else 0)

    def _index_of(self, value: Decimal) -> int:
        for i in range(1, self.count()):
            if Decimal(self.itemData(i)) == value:
                return i
        return -1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text and (text.isdigit() or text in ",."):
            if not self._clock.isValid() or self._clock.elapsed() > TYPE_AHEAD_MS:
                self._typed = ""
            self._clock.restart()
            self._typed += text
            value = _typed_value(self._typed)
            index = self._index_of(value) if value is not None else -1
            if index >= 0:
                self.setCurrentIndex(index)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.setCurrentIndex(0)
            event.accept()
            return
        super().keyPressEvent(event)


class PointsSpin(QDoubleSpinBox):
    """Direct points 0..maximum on the call's step; the value below zero shows "—" (not yet given)."""

    def __init__(self, bando: Bando, sub: SubCriterion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(QLocale(QLocale.Language.Italian, QLocale.Country.Italy))
        step = float(bando.points_step)
        places = max(0, -bando.points_step.normalize().as_tuple().exponent)  # type: ignore[operator]
        self.setDecimals(places)
        self.setSingleStep(step)
        self.setRange(-step, float(sub.maximum))
        self.setSpecialValueText("—")
        self.setValue(-step)
        self._places = places

    def value_decimal(self) -> Decimal | None:
        if self.value() < 0:
            return None
        return Decimal(f"{self.value():.{self._places}f}")

    def set_value_decimal(self, value: Decimal | None) -> None:
        self.setValue(self.minimum() if value is None else float(value))


Editor = CoefficientCombo | PointsSpin


def editor_value(editor: Editor) -> Decimal | None:
    return editor.value() if isinstance(editor, CoefficientCombo) else editor.value_decimal()


def set_editor_value(editor: Editor, value: Decimal | None) -> None:
    if isinstance(editor, CoefficientCombo):
        editor.set_value(value)
    else:
        editor.set_value_decimal(value)
