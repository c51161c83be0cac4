"""One criterion of the scoring form as a page: its sub-criteria in a compact grid, its subtotal.

Why a page per criterion: at 1366×768 the whole sheet in one column showed three of nine sub-criteria at a
time and the member scrolled past the threshold of the criterion being judged. Each sub-criterion takes two
lines here (title and maximum; mark, points and justification side by side), so a criterion of six fits.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPlainTextEdit, QScrollArea, QWidget

from ui.forms.scheda_inputs import CoefficientCombo, Editor, PointsSpin, editor_value
from valutazione.bando import Bando, Criterion, SubCriterion
from valutazione.money import format_decimal_it
from valutazione.services import sheets

NARROW_PX = 620  # below this width the justification no longer fits beside the mark
JUSTIFICATION_HEIGHT = 50  # two lines and a half: enough to read what was written, small enough for six rows


def limit_text(value: Decimal) -> str:
    """A maximum or a threshold: "35" rather than "35,00" when it is a whole number."""
    return format_decimal_it(value, 0 if value % 1 == 0 else 2)


class SubRow:
    """The widgets of one sub-criterion."""

    def __init__(self, form: QObject, bando: Bando, sub: SubCriterion) -> None:
        self.sub = sub
        self.pairwise = bando.criterion_of(sub.code).pairwise is not None
        self.title = QLabel(f"<b>{sub.code}</b>  {sub.description}")
        self.title.setWordWrap(True)
        self.maximum = QLabel(form.tr("max {}").format(limit_text(sub.maximum)))
        self.maximum.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.editor: Editor = CoefficientCombo(bando) if bando.method == "coefficienti" else PointsSpin(bando, sub)
        self.editor.setAccessibleName(form.tr("Valutazione {}").format(sub.code))
        self.points = QLabel()
        self.motivazione = QPlainTextEdit()
        self.motivazione.setTabChangesFocus(True)
        self.motivazione.setPlaceholderText(form.tr("Motivazione per {}").format(sub.code))
        self.motivazione.setFixedHeight(JUSTIFICATION_HEIGHT)
        self.motivazione.setAccessibleName(form.tr("Motivazione {}").format(sub.code))

    def place(self, grid: QGridLayout, line: int, narrow: bool) -> int:
        """Lays the row out from ``line``; the justification goes under the mark when the page is narrow.
        Returns the next free line."""
        grid.addWidget(self.title, line, 0, 1, 3)
        grid.addWidget(self.maximum, line, 3)
        if narrow:
            grid.addWidget(self.editor, line + 1, 0, 1, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.points, line + 1, 2, 1, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.motivazione, line + 2, 0, 1, 4)
            return line + 3
        grid.addWidget(self.editor, line + 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.points, line + 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.motivazione, line + 1, 2, 1, 2)
        return line + 2

    def mark(self) -> sheets.Mark:
        return sheets.Mark(editor_value(self.editor), self.motivazione.toPlainText())


class CriterionPage(QScrollArea):
    """A criterion's sub-criteria and subtotal; it scrolls only on a screen smaller than a laptop's."""

    def __init__(self, form: QObject, bando: Bando, criterion: Criterion) -> None:
        super().__init__()
        self.criterion = criterion
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.grid = grid = QGridLayout(body)
        grid.setColumnStretch(2, 1)
        grid.setVerticalSpacing(4)
        grid.setHorizontalSpacing(6)
        grid.setContentsMargins(4, 6, 4, 6)
        threshold = (
            "" if criterion.threshold is None else form.tr(", soglia {}").format(limit_text(criterion.threshold))
        )
        heading = QLabel(
            "<b>"
            + form.tr("{} – {} (max {}{})").format(
                criterion.code, criterion.name, limit_text(criterion.maximum), threshold
            )
            + "</b>"
        )
        heading.setWordWrap(True)
        grid.addWidget(heading, 0, 0, 1, 4)
        self.rows = [SubRow(form, bando, sub) for sub in criterion.subcriteria]
        self.subtotal = QLabel()
        self.subtotal.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.subtotal.setWordWrap(True)
        self.narrow: bool | None = None
        self.arrange(narrow=False)
        self.setWidget(body)

    def arrange(self, *, narrow: bool) -> None:
        """Two lines per sub-criterion on a wide page, three (justification underneath) on a narrow one."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for line in range(self.grid.rowCount()):
            self.grid.setRowStretch(line, 0)
        line = 1
        for row in self.rows:
            line = row.place(self.grid, line, narrow)
        self.grid.addWidget(self.subtotal, line, 0, 1, 4)
        self.grid.setRowStretch(line + 1, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(narrow=event.size().width() < NARROW_PX)
        super().resizeEvent(event)
