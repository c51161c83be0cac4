"""What the ranking screen adds for a call divided into lots: the lot selector beside the search, a budget
bar per lot, and the filter that shows one lot's ranking with its own funding line.

Apart from ``ranking`` so that a single-budget call's screen is built by exactly the code it was: none of
these widgets is shown there. The figures come from ``services.lots.overview_of``, frozen records computed
from the ranking on screen, so the bars and the table can never tell different stories.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from ui.chair.common import euro, tr
from ui.chair.lot_notes import residual_rule_text
from ui.chair.ranking_model import RankingModel
from ui.models.filter_bar import SearchableTable
from valutazione.ranking.records import Ranking
from valutazione.services.lots import LotBudgetBar, LotsOverview, overview_of


class LotSelector(QComboBox):
    """«Tutti i lotti» then each lot by code and name; ``code()`` is None for all of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._codes: list[str | None] = [None]
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.addItem(tr("Tutti i lotti"))

    def set_lots(self, lots: list[tuple[str, str]]) -> None:
        """Offers ``(code, name)`` lots, keeping the lot chosen before when the call still has it."""
        current = self.code()
        self.blockSignals(True)
        self.clear()
        self._codes = [None] + [code for code, _ in lots]
        self.addItems([tr("Tutti i lotti")] + [f"{code} – {name}" for code, name in lots])
        self.setCurrentIndex(self._codes.index(current) if current in self._codes else 0)
        self.blockSignals(False)

    def code(self) -> str | None:
        index = self.currentIndex()
        return self._codes[index] if 0 <= index < len(self._codes) else None


def bar_text(bar: LotBudgetBar, rule: str) -> str:
    """One lot's money in one line, to the cent: granted of its budget, received, left, its quota."""
    text = tr("{code}: assegnati {used} di {budget}").format(
        code=bar.code, used=euro(bar.used_cents), budget=euro(bar.budget_cents)
    )
    if bar.received_cents:
        text += tr(" (+ {r} ricevuti dai residui)").format(r=euro(bar.received_cents))
    gone = rule != "nessuna" and bar.left_cents
    text += tr(" — non usati {left}").format(left=euro(bar.left_cents)) + (
        tr(", passati al fondo dei residui") if gone else ""
    )
    if bar.quota_reserved_cents:
        text += tr(" — quota riservata: usati {u} di {q}").format(
            u=euro(bar.quota_used_cents), q=euro(bar.quota_reserved_cents)
        )
    return text


def short_text(bar: LotBudgetBar) -> str:
    """The same figures in fewer words, for the bars laid two by two when a call has many lots."""
    text = f"{bar.code}: {euro(bar.used_cents)} " + tr("di") + f" {euro(bar.budget_cents)}"
    if bar.received_cents:
        text += f" (+ {euro(bar.received_cents)} " + tr("residui") + ")"
    if bar.left_cents:
        text += tr(" — non usati ") + euro(bar.left_cents)
    if bar.quota_reserved_cents:
        text += tr(" — quota ") + f"{euro(bar.quota_used_cents)} / {euro(bar.quota_reserved_cents)}"
    return text


WIDE = 3  # up to this many lots, one bar a line with the lot's name; beyond, two bars a line


class LotBudgetBars(QWidget):
    """A budget bar per lot (all of them, or only the lot selected) and what the residual rule moved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(2)
        self.bars: dict[str, QProgressBar] = {}
        self.residuals = QLabel()
        self.residuals.setWordWrap(True)
        # As tall as the rows shown, never taller: the space a hidden lot leaves goes to the table.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.hide()

    def show_lots(self, overview: LotsOverview | None, code: str | None) -> None:
        """Draws ``overview`` (hidden when None: a single-budget call); only lot ``code`` when one is chosen."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.residuals:
                widget.deleteLater()
        self.bars = {}
        self.setVisible(overview is not None)
        if overview is None:
            return
        shown = [lot for lot in overview.lots if code is None or lot.code == code]
        columns = 1 if len(shown) <= WIDE else 2
        for column in range(3):
            self.grid.setColumnStretch(column, 0)
        for i, lot in enumerate(shown):
            row, column = divmod(i, columns)
            bar = QProgressBar()
            bar.setTextVisible(True)
            bar.setRange(0, max((lot.budget_cents + lot.received_cents) // 100, 1))
            bar.setValue(lot.used_cents // 100)
            full = bar_text(lot, overview.residual_rule)
            bar.setFormat(full if columns == 1 else short_text(lot))
            bar.setToolTip(
                f"{lot.code} – {lot.name}\n{full}\n"
                + tr("{ranked} in graduatoria, {funded} finanziate").format(ranked=lot.ranked, funded=lot.funded)
            )
            if columns == 1:
                name = QLabel(f"{lot.code} – {lot.name}")
                self.grid.addWidget(name, row, 0)
                self.grid.addWidget(bar, row, 1)
            else:
                self.grid.addWidget(bar, row, column)
            self.bars[lot.code] = bar
        for column in range(columns) if columns == 2 else (1,):
            self.grid.setColumnStretch(column, 1)
        self.residuals.setText(
            tr("Risorse non usate dai lotti: {pool}; regola: {rule}; ridistribuite {moved}.").format(
                pool=euro(overview.pool_cents),
                rule=residual_rule_text(overview.residual_rule),
                moved=euro(overview.redistributed_cents),
            )
        )
        if code is None:
            self.grid.addWidget(self.residuals, -(-len(shown) // columns), 0, 1, 2)
        self.residuals.setVisible(code is None)

    def text_of(self, code: str) -> str:
        """The figures the bar of lot ``code`` shows (what the chair reads)."""
        return self.bars[code].text()


class LotControls:
    """The selector (put in the table's filter bar) and the bars, wired to the ranking's table.

    Choosing a lot keeps only its rows, in its ranking order, and only its bar; «Tutti i lotti» shows
    every row and every bar. On a call without lots both stay hidden and no filter is set.
    """

    def __init__(self, view: SearchableTable, model: RankingModel, legend: QLabel) -> None:
        self.view, self.model, self.legend = view, model, legend
        self._legend = legend.text()
        self.label = QLabel(tr("Lotto:"))
        self.selector = LotSelector()
        self.selector.setToolTip(tr("Mostra la graduatoria di un solo lotto, con la sua linea di finanziamento"))
        self.bars = LotBudgetBars()
        bar_layout = cast(QHBoxLayout, view.bar.layout())  # after the search line, before the count
        bar_layout.insertWidget(1, self.label)
        bar_layout.insertWidget(2, self.selector)
        self.label.hide()
        self.selector.hide()
        QWidget.setTabOrder(view.bar.search, self.selector)  # search, lot, then the results (a hidden one is skipped)
        QWidget.setTabOrder(self.selector, view.table)
        self.overview: LotsOverview | None = None
        self.selector.currentIndexChanged.connect(lambda _: self.apply())

    def show_ranking(self, ranking: Ranking) -> None:
        self.overview = overview_of(ranking)
        lots = [(b.code, b.name) for b in self.overview.lots] if self.overview else []
        self.selector.set_lots(lots)
        self.label.setVisible(bool(lots))
        self.selector.setVisible(bool(lots))
        each = tr("Linea rossa: ultima domanda finanziata di ciascun lotto. Passare sopra i punteggi per il calcolo.")
        self.legend.setText(each if lots else self._legend)
        self.apply()

    def apply(self) -> None:
        code = self.selector.code() if self.overview else None
        self.model.lot_filter = code
        proxy = self.view.proxy
        proxy.extra = None if code is None else (lambda row: row.lot == code)
        proxy.refilter()
        self.bars.show_lots(self.overview, code)
        self.view.table.viewport().update()  # the funding lines depend on the filter
