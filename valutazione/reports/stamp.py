"""The visible mark of a signature («Firmato digitalmente da …») drawn with the embedded font.

pyHanko's own text stamp writes in Courier, a base-14 font that is never embedded: the first signature
would make a PDF/A document non-conforming. So the stamp is a one-page ReportLab PDF in DejaVu Sans
(embedded, like every document) that pyHanko places in the signature box as a form XObject, opaque.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from valutazione.reports.layout import FONT, FONT_BOLD, register_fonts
from valutazione.reports.textfit import fit_text

STAMP_SIZE = (220.0, 72.0)  # points; pyHanko scales it into the field's box
INK = colors.HexColor("#1f4e79")


def stamp_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF with ``lines`` (the first in bold), each shortened to the stamp's width."""
    register_fonts()
    width, height = STAMP_SIZE
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=STAMP_SIZE, pageCompression=1)
    canvas.setFillColor(colors.white)  # opaque: the box's printed text must not show through
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.rect(1, 1, width - 2, height - 2, stroke=1, fill=1)
    canvas.setFillColor(INK)
    size = 8.5
    y = height - 8 - size
    for i, line in enumerate(lines[:5]):
        font = FONT_BOLD if i == 0 else FONT
        canvas.setFont(font, size)
        canvas.drawString(6, y, fit_text(line, font, size, width - 12, 1))
        y -= size * 1.45
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stamp_style(lines: Sequence[str]) -> Any:
    """A pyHanko stamp style drawing :func:`stamp_pdf` in the box, without pyHanko's own text or border."""
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import StaticStampStyle

    data = stamp_pdf(lines)

    class _Stamp(PdfContent):
        def render(self) -> bytes:
            xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(data)), page_ix=0)
            self.resources.xobject["/Stamp"] = xobj
            self.box = BoxConstraints(width=STAMP_SIZE[0], height=STAMP_SIZE[1])
            return b"/Stamp Do"

    return StaticStampStyle(background=_Stamp(), border_width=0, background_opacity=1.0)
