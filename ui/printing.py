"""Printing a PDF the core built, page by page, on the printer the user picks.

Every printed document (a verbale from the sessions screen, a ranking from the Documenti menu) goes
through ``print_pdf``: QtPdf renders each page to an image that is scaled into the printer's page,
keeping proportions, so what comes out is the PDF as ReportLab laid it out (no second layout in Qt).
Pages are rendered at most at ``MAX_DPI``: a 1200 dpi "high resolution" printer would otherwise ask for
half a gigabyte per A4 page, with no visible gain for text on paper.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

MAX_DPI = 300


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Renders every page of ``pdf`` onto ``printer``; returns the number of pages printed (0 if none)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    count = document.pageCount()
    if count <= 0:
        return 0
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        dpi = printer.resolution()
        target = QRectF(printer.pageLayout().paintRectPixels(dpi))
        for page in range(count):
            if page:
                printer.newPage()
            size = document.pagePointSize(page).scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            scale = min(1.0, MAX_DPI / dpi) if dpi > 0 else 1.0
            image = document.render(page, QSize(round(size.width() * scale), round(size.height() * scale)))
            painter.drawImage(QRectF(0, 0, size.width(), size.height()), image)
    finally:
        painter.end()
    return count


def choose_printer(parent: QWidget | None) -> QPrinter | None:
    """The system print dialog; ``None`` when the user cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def print_document(parent: QWidget | None, pdf: bytes, printer: QPrinter | None = None) -> int:
    """Asks for a printer (unless one is given, as tests do) and prints ``pdf``; returns the pages printed."""
    if printer is None:
        printer = choose_printer(parent)
        if printer is None:
            return 0
    return print_pdf(pdf, printer)
