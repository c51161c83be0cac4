"""Pairwise comparison entry (*confronto a coppie*): one matrix per sub-criterion, coefficients shown live.

Each cell above the diagonal compares the row's application with the column's, on the scale of the method
(docs/regole.md § 6): «=» parity (1 each), «◀ n» the row's application preferred by n, «▲ n» the column's,
n from 1,5 to 6 in halves. Below the diagonal the same judgement is mirrored, read-only. Beside the matrix,
this member's own sums and coefficients (sum ÷ highest sum) change as the cells do; the committee's
coefficient, which mixes every member's, appears in the ranking. Saving goes through
``services.pairwise_entry``, which validates and logs; an incomplete matrix is kept but not yet counted.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.user import User
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.pairwise import DEGREE_STEP, MAX_DEGREE, MIN_DEGREE, Comparison
from valutazione.scoring import format_it
from valutazione.services.pairwise_entry import PairwiseSheet, own_sheet, pairwise_subcriteria, save_comparisons

DEGREES = [
    (MIN_DEGREE + DEGREE_STEP * i).normalize() for i in range(1, int((MAX_DEGREE - MIN_DEGREE) / DEGREE_STEP) + 1)
]
NAMES = {2: "minima", 3: "piccola", 4: "media", 5: "grande", 6: "massima"}
ROW, COLUMN = "riga", "colonna"


def choices() -> list[tuple[str, tuple[str, Decimal] | None]]:
    """The cell's options: not yet compared, parity, then the row's or the column's preference by degree.

    The cell keeps only its index: the meaning is read back from this list, never from item data (an empty
    item data read back as None upsets PySide6's reference count, see ui/app.py).
    """
    items: list[tuple[str, tuple[str, Decimal] | None]] = [("", None), ("=", ("", MIN_DEGREE))]
    items += [(f"◀ {format_it(d)}", (ROW, d)) for d in DEGREES]
    items += [(f"▲ {format_it(d)}", (COLUMN, d)) for d in DEGREES]
    return items


CHOICES = choices()


def sums_of(protocols: tuple[str, ...], comparisons: list[Comparison]) -> dict[str, Decimal]:
    """This member's points per application so far: the degree to the preferred one, 1 each on parity."""
    sums = dict.fromkeys(protocols, Decimal(0))
    for c in comparisons:
        if c.preferred is None:
            sums[c.a] += MIN_DEGREE
            sums[c.b] += MIN_DEGREE
        else:
            sums[c.preferred] += c.degree
    return sums


class PairwiseView(QWidget):
    """The member's matrices; ``saved`` state in ``status``, the live coefficients in ``coefficients``."""

    def __init__(self, db: Database, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.bando = db.bando()
        self.sheet: PairwiseSheet | None = None
        self.loaded_code: str | None = None  # the sub-criterion the matrix shows (the combo may already differ)
        self.dirty = False
        self.sub = QComboBox()
        for sub in pairwise_subcriteria(self.bando):
            self.sub.addItem(f"{sub.code} — {sub.description}", sub.code)
        self.sub.currentIndexChanged.connect(lambda _i: self.load())
        self.matrix = QTableWidget()
        self.matrix.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.coefficients = QTableWidget(0, 3)
        self.coefficients.setHorizontalHeaderLabels([self.tr("Domanda"), self.tr("Somma"), self.tr("Coefficiente")])
        self.coefficients.verticalHeader().hide()
        self.coefficients.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.coefficients.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.progress = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Salva i confronti"))
        self.save_button.clicked.connect(self.save)
        legend = QLabel(
            self.tr(
                "«=» parità; «◀ n» preferita la domanda della riga, «▲ n» quella della colonna, di grado n "
                "(2 minima, 3 piccola, 4 media, 5 grande, 6 massima; mezzi ammessi)."
            )
        )
        legend.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Sottocriterio:")))
        top.addWidget(self.sub, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel(self.tr("Coefficienti di questo commissario (somma ÷ somma più alta):")))
        side.addWidget(self.coefficients, 1)
        side.addWidget(self.progress)
        body = QHBoxLayout()
        body.addWidget(self.matrix, 3)
        body.addLayout(side, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(legend)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self.load()

    # -- loading and reading the cells ---------------------------------------------------------------

    def load(self) -> None:
        """Shows the chosen sub-criterion's matrix; pending cells of the previous one are saved first."""
        code = self.sub.currentData()
        if code is None:
            return
        if self.dirty and self.loaded_code is not None and not self._save(self.loaded_code):
            return
        try:
            with self.db.sessions() as s:
                self.sheet = own_sheet(s, self.bando, self.user.id, str(code))
        except ValutazioneError as exc:
            self.status.setText(str(exc))
            return
        protocols = self.sheet.protocols
        stored = {frozenset((c.a, c.b)): c for c in self.sheet.comparisons}
        self.matrix.clear()
        self.matrix.setRowCount(len(protocols))
        self.matrix.setColumnCount(len(protocols))
        self.matrix.setHorizontalHeaderLabels(list(protocols))
        self.matrix.setVerticalHeaderLabels(list(protocols))
        for i, row_protocol in enumerate(protocols):
            for j, column_protocol in enumerate(protocols):
                if i < j:
                    self.matrix.setCellWidget(i, j, self._cell(row_protocol, column_protocol, stored))
                else:
                    item = QTableWidgetItem("—" if i == j else "")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.matrix.setItem(i, j, item)
        self.matrix.resizeColumnsToContents()
        self.loaded_code, self.dirty = str(code), False
        self.status.setText("")
        self._refresh()

    def _cell(self, row: str, column: str, stored: dict[frozenset[str], Comparison]) -> QComboBox:
        box = QComboBox()
        box.addItems([text for text, _data in CHOICES])
        box.setToolTip(self.tr("{r} (riga) a confronto con {c} (colonna)").format(r=row, c=column))
        box.setAccessibleName(self.tr("Confronto {r} / {c}").format(r=row, c=column))
        c = stored.get(frozenset((row, column)))
        if c is not None:
            side = "" if c.preferred is None else (ROW if c.preferred == row else COLUMN)
            box.setCurrentIndex(next(i for i, (_t, d) in enumerate(CHOICES) if d == (side, c.degree)))
        box.currentIndexChanged.connect(lambda _i: self._changed())
        return box

    def cell(self, row: str, column: str) -> QComboBox:
        """The chooser comparing two applications (in either order of the arguments)."""
        assert self.sheet is not None
        i, j = sorted((self.sheet.protocols.index(row), self.sheet.protocols.index(column)))
        widget = self.matrix.cellWidget(i, j)
        assert isinstance(widget, QComboBox)
        return widget

    def comparisons(self) -> list[Comparison]:
        """What the cells say now (cells not yet chosen are left out)."""
        if self.sheet is None:
            return []
        found = []
        protocols = self.sheet.protocols
        for i, j in ((r, c) for r in range(len(protocols)) for c in range(r + 1, len(protocols))):
            widget = self.matrix.cellWidget(i, j)
            data = CHOICES[widget.currentIndex()][1] if isinstance(widget, QComboBox) else None
            if data is None:
                continue
            side, degree = data
            preferred = None if not side else (protocols[i] if side == ROW else protocols[j])
            found.append(Comparison(protocols[i], protocols[j], preferred, Decimal(degree)))
        return found

    # -- live figures and saving ----------------------------------------------------------------------

    def _changed(self) -> None:
        self.dirty = True
        self.status.setText(self.tr("Modifiche non ancora salvate."))
        self._refresh()

    def _refresh(self) -> None:
        if self.sheet is None:
            return
        current = self.comparisons()
        sums = sums_of(self.sheet.protocols, current)
        top = max(sums.values(), default=Decimal(0))
        self.coefficients.setRowCount(len(sums))
        for row, (protocol, total) in enumerate(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))):
            coefficient = Fraction(total) / Fraction(top) if top else Fraction(0)
            for col, text in enumerate(
                (protocol, format_it(total), format_it(Decimal(float(coefficient)).quantize(Decimal("0.001"))))
            ):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.coefficients.setItem(row, col, item)
        for i in range(len(self.sheet.protocols)):
            for j in range(i):
                mirror = self.matrix.cellWidget(j, i)
                below = self.matrix.item(i, j)
                if isinstance(mirror, QComboBox) and below is not None:
                    below.setText(_mirrored(mirror.currentText()))
        self.progress.setText(
            self.tr("Confronti: {n} di {t}").format(n=len(current), t=self.sheet.pairs)
            + ("" if len(current) == self.sheet.pairs else self.tr(" — la matrice conta solo quando è completa"))
        )

    def save(self) -> bool:
        return self.loaded_code is not None and self._save(self.loaded_code)

    def _save(self, code: str) -> bool:
        if self.sheet is None:
            return False
        comparisons = self.comparisons()
        try:
            with self.db.sessions.begin() as s:
                self.sheet = save_comparisons(s, self.bando, self.user.id, code, comparisons)
        except ValutazioneError as exc:
            self.status.setText(str(exc))
            return False
        self.dirty = False
        done = self.tr("completi: entrano nel calcolo") if self.sheet.complete else self.tr("incompleti: salvati")
        self.status.setText(self.tr("Confronti su {c} {d}.").format(c=code, d=done))
        return True


def _mirrored(text: str) -> str:
    """Below the diagonal the same judgement seen from the other side: ◀ becomes ▲ and vice versa."""
    if text.startswith("◀"):
        return "▲" + text[1:]
    if text.startswith("▲"):
        return "◀" + text[1:]
    return text
