"""An attachment viewer inside the window: pages, zoom, text search (QtPdf).

Members read the proposal next to their scoring sheet, so the PDF is shown in place rather than in
another program; opening it outside (the detail screen's button) remains for files QtPdf cannot show
(signed .p7m, office files).
The bytes come from the database (attachments are stored as blobs) through a QBuffer that lives as
long as the document.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QModelIndex, QPointF, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ZOOM_STEP = 1.25


class PdfViewer(QWidget):
    """Shows one PDF from bytes, with page navigation, zoom and text search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.search_model = QPdfSearchModel(self)
        self.search_model.setDocument(self.document)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setSearchModel(self.search_model)
        self._buffer: QBuffer | None = None
        self._result = -1

        self.prev_page = _tool_button("◀")
        self.prev_page.setToolTip(self.tr("Pagina precedente"))
        self.next_page = _tool_button("▶")
        self.next_page.setToolTip(self.tr("Pagina successiva"))
        self.page = QSpinBox()
        self.page.setMinimum(1)
        self.page.setAccelerated(True)
        self.page_count = QLabel()
        self.zoom_out = _tool_button("−")
        self.zoom_out.setToolTip(self.tr("Riduci (Ctrl+-)"))
        self.zoom_in = _tool_button("+")
        self.zoom_in.setToolTip(self.tr("Ingrandisci (Ctrl++)"))
        self.fit = _tool_button(self.tr("Adatta"))
        self.fit.setToolTip(self.tr("Adatta alla larghezza"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Cerca nel documento"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.search_status = QLabel()

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_page, self.page, self.page_count, self.next_page, self.zoom_out, self.zoom_in, self.fit):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.search_status)

        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self.prev_page.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_page.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.page.editingFinished.connect(lambda: self.go_to_page(self.page.value() - 1))
        self.zoom_in.clicked.connect(lambda: self.set_zoom(self.view.zoomFactor() * ZOOM_STEP))
        self.zoom_out.clicked.connect(lambda: self.set_zoom(self.view.zoomFactor() / ZOOM_STEP))
        self.fit.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.search.textChanged.connect(self._on_search_text)
        self.search.returnPressed.connect(self.next_result)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.ZoomIn),
            self,
            self.zoom_in.click,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.ZoomOut),
            self,
            self.zoom_out.click,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.view.pageNavigator().currentPageChanged.connect(self._update_page)
        self.document.pageCountChanged.connect(self._update_page)
        self.search_model.modelReset.connect(self._update_search_status)
        self.search_model.rowsInserted.connect(self._update_search_status)
        self.show_message(self.tr("Nessun allegato selezionato."))

    def load_bytes(self, data: bytes) -> bool:
        """Loads a PDF; returns False (and says so on screen) when QtPdf cannot read it."""
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        if self.document.status() == QPdfDocument.Status.Error:
            self.show_message(self.tr("Il file non è un PDF leggibile: usare «Apri esternamente»."))
            return False
        self.stack.setCurrentWidget(self.view)
        self._set_controls(True)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._on_search_text(self.search.text())
        self._update_page()
        return True

    def show_message(self, text: str) -> None:
        self.document.close()
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._set_controls(False)

    def _set_controls(self, enabled: bool) -> None:
        for w in (self.prev_page, self.next_page, self.page, self.zoom_in, self.zoom_out, self.fit, self.search):
            w.setEnabled(enabled)
        if not enabled:
            self.page_count.setText("")
            self.search_status.setText("")

    def page_total(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if 0 <= page < self.page_total():
            nav = self.view.pageNavigator()
            nav.jump(page, QPointF(), nav.currentZoom())

    def set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(factor, 8.0)))

    def result_count(self) -> int:
        return self.search_model.rowCount(QModelIndex())

    def next_result(self) -> None:
        count = self.result_count()
        if count:
            self._result = (self._result + 1) % count
            self.view.setCurrentSearchResultIndex(self._result)
            self.view.pageNavigator().jump(self.search_model.resultAtIndex(self._result))
            self._update_search_status()

    def _on_search_text(self, text: str) -> None:
        self._result = -1
        self.search_model.setSearchString(text)
        self._update_search_status()

    def _update_search_status(self) -> None:
        if not self.search.text():
            self.search_status.setText("")
            return
        count = self.result_count()
        if count == 0:
            self.search_status.setText(self.tr("nessun risultato"))
        elif self._result < 0:
            self.search_status.setText(self.tr("{} risultati").format(count))
        else:
            self.search_status.setText(self.tr("{} di {}").format(self._result + 1, count))

    def _update_page(self) -> None:
        total = self.page_total()
        self.page.blockSignals(True)
        self.page.setMaximum(max(total, 1))
        self.page.setValue(self.current_page() + 1)
        self.page.blockSignals(False)
        self.page_count.setText(self.tr("di {}").format(total))


def _tool_button(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    return button
