"""The common A4 page of every committee document: header, footer, fonts, styles, tables.

Every document the committee prints carries the same header (authority, programme, action and the
call's title) and a footer with "Pagina X di Y" and a short fingerprint, so that a loose page can be
placed and checked. Only DejaVu Sans is used, embedded: the archive (PDF/A) and the signature
verifiers need every glyph inside the file, and the base-14 Helvetica is never embedded.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from valutazione.bando import Bando
from valutazione.money import format_decimal_it, format_euro
from valutazione.paths import resource
from valutazione.reports.pdfa import to_pdfa
from valutazione.reports.textfit import fit_text

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
ROME = ZoneInfo("Europe/Rome")
MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
MARGIN = 18 * mm
HEADER_H = 16 * mm
FOOTER_H = 10 * mm
GRID = colors.HexColor("#9aa3ad")
HEAD_BG = colors.HexColor("#e3e8ee")
ZEBRA = colors.HexColor("#f6f8fa")
ACCENT = colors.HexColor("#1f4e79")

_registered = False


def register_fonts() -> None:
    """Registers DejaVu Sans (four faces, as a family) and makes it the canvas default.

    Setting ``canvas_basefontname`` matters: a canvas starts with that font selected, and with the
    default (Helvetica) a non-embedded font reference would end up in the file.
    """
    global _registered
    if _registered:
        return
    faces = {
        FONT: "DejaVuSans.ttf",
        FONT_BOLD: "DejaVuSans-Bold.ttf",
        FONT_ITALIC: "DejaVuSans-Oblique.ttf",
        FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    }
    for name, filename in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=FONT_BOLD,
        italic=FONT_ITALIC,
        boldItalic=FONT_BOLD_ITALIC,
        baseFontFor="canvas graphics",
    )
    rl_config.canvas_basefontname = FONT
    _registered = True


# --- Italian formats -----------------------------------------------------------------------------


def date_it(day: date | datetime) -> str:
    """``27 novembre 2026``; an aware datetime is first shown in Rome's time."""
    if isinstance(day, datetime):
        day = day.astimezone(ROME) if day.tzinfo else day
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def datetime_it(moment: datetime) -> str:
    """``27 novembre 2026, ore 10:30`` in Rome's time."""
    local = moment.astimezone(ROME) if moment.tzinfo else moment
    return f"{date_it(local)}, ore {local:%H:%M}"


def euro(cents: int) -> str:
    """``€ 1.128.100,00`` with a no-break space, so the sign never wraps away from the amount."""
    return format_euro(cents).replace(" ", "\u00a0")


def points(value: Decimal | None, places: int = 2) -> str:
    """Points the Italian way (``12,50``); ``–`` for a value that does not exist."""
    return "–" if value is None else format_decimal_it(value, places)


def fingerprint_of(content: Any) -> str:
    """SHA-256 of the canonical JSON of what a document shows: same content, same fingerprint."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_fingerprint(fingerprint: str) -> str:
    return fingerprint[:16]


# --- styles ----------------------------------------------------------------------------------------


def _style(
    name: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: int = TA_LEFT,
    leading: float | None = None,
    space_before: float = 0,
    space_after: float = 0,
    color: Any = colors.black,
) -> ParagraphStyle:
    font = {
        (False, False): FONT,
        (True, False): FONT_BOLD,
        (False, True): FONT_ITALIC,
        (True, True): FONT_BOLD_ITALIC,
    }[(bold, italic)]
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=leading or size * 1.25,
        alignment=align,
        spaceBefore=space_before,
        spaceAfter=space_after,
        textColor=color,
        bulletFontName=FONT,
    )


class Styles:
    """The few paragraph styles every document shares (built after the fonts are registered)."""

    def __init__(self) -> None:
        register_fonts()
        self.title = _style("title", 15, bold=True, align=TA_CENTER, space_after=3 * mm, color=ACCENT)
        self.subtitle = _style("subtitle", 10.5, align=TA_CENTER, space_after=4 * mm)
        self.h2 = _style("h2", 11.5, bold=True, space_before=4 * mm, space_after=2 * mm, color=ACCENT)
        self.h3 = _style("h3", 10, bold=True, space_before=2.5 * mm, space_after=1.5 * mm)
        self.body = _style("body", 9.5, leading=12.5, space_after=1.5 * mm)
        self.small = _style("small", 8, leading=10)
        self.note = _style("note", 8, italic=True, leading=10, color=colors.HexColor("#444444"))
        self.cell = _style("cell", 8, leading=9.6)
        self.cell_right = _style("cell_right", 8, leading=9.6, align=TA_RIGHT)
        self.cell_center = _style("cell_center", 8, leading=9.6, align=TA_CENTER)
        self.cell_head = _style("cell_head", 7.5, bold=True, leading=9, align=TA_CENTER)
        self.tiny = _style("tiny", 6.8, leading=8.2)
        self.tiny_right = _style("tiny_right", 6.8, leading=8.2, align=TA_RIGHT)
        self.tiny_head = _style("tiny_head", 6.5, bold=True, leading=7.8, align=TA_CENTER)


def escape(text: str) -> str:
    """Text for a Paragraph: ReportLab reads a small XML dialect, so ``&`` and ``<`` must be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Heading(Paragraph):  # type: ignore[misc]
    """A heading that never ends a page: with less than ``FOLLOW`` room below it, it moves on.

    ReportLab's ``keepWithNext`` would move a heading *and* a long table to the next page, leaving a
    half-empty page behind; asking only for a little room after the heading avoids both problems.
    """

    FOLLOW = 22 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = super().wrap(avail_width, avail_height)
        if avail_height < height + self.FOLLOW:
            return width, avail_height + 1  # too low: let the frame try to split, which refuses
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if avail_height < self.height + self.FOLLOW:
            return []
        result: list[Flowable] = super().split(avail_width, avail_height)
        return result


HEADING_STYLES = ("h2", "h3")
TITLE_STYLES = ("title", "subtitle")
MAX_HEADING_LINES = 4  # a heading or title never fills a page: past this it ends in «…»
HEADING_WIDTH = A4[0] - 2 * MARGIN  # the narrowest frame (portrait): safe for either orientation
MAX_CELL_LINES = 12  # a table cell never grows past a few centimetres, so its row always fits a page


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped); newlines are kept as line breaks; headings never end a page.

    Headings and titles are shortened with «…» past a few lines: one that cannot fit a page would
    fail the document (body paragraphs split across pages by themselves).
    """
    cls = Heading if style.name in HEADING_STYLES else Paragraph
    if style.name in HEADING_STYLES or style.name in TITLE_STYLES:
        text = fit_text(text, style.fontName, style.fontSize, HEADING_WIDTH, MAX_HEADING_LINES)
    return cls(escape(text).replace("\n", "<br/>"), style)


def cell_para(text: str, style: ParagraphStyle, width: float, max_lines: int = MAX_CELL_LINES) -> Paragraph:
    """A table cell's paragraph, ``width`` points wide, shortened with «…» past ``max_lines`` lines.

    A cell taller than a page cannot be split by ReportLab and fails the whole document.
    """
    return para(fit_text(text, style.fontName, style.fontSize, width, max_lines), style)


def data_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    extra: Sequence[tuple[Any, ...]] = (),
    zebra: bool = True,
) -> Table:
    """A grid table that splits across pages repeating its header rows on each page."""
    table = Table(list(rows), colWidths=list(widths), repeatRows=header_rows, splitByRow=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
    ]
    if header_rows:
        commands += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG),
            ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ]
    if zebra and len(rows) > header_rows + 2:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA]))
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def key_value_table(pairs: Sequence[tuple[str, str]], width: float, styles: Styles, label_share: float = 0.36) -> Table:
    """Two columns, label and value: the parameters and the heading data of a document."""
    label_w = width * label_share
    pad = 3 + 6  # the left padding set below and ReportLab's default right padding
    rows = [
        [cell_para(k, styles.cell, label_w - pad), cell_para(v, styles.cell, width - label_w - pad)] for k, v in pairs
    ]
    table = Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), ZEBRA),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


# --- the page --------------------------------------------------------------------------------------


_ANCHOR: ContextVar[str] = ContextVar("valutazione_audit_anchor", default="")


@contextmanager
def anchored(line: str) -> Iterator[None]:
    """Prints ``line`` (the audit log's head and position, see ``seals.anchors``) on every page built inside.

    The anchor is what lets a document held outside the file prove, later, that the file's log was not
    rewritten; the caller that knows the session sets it, so the report builders need not.
    """
    token = _ANCHOR.set(line)
    try:
        yield
    finally:
        _ANCHOR.reset(token)


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers the footer to the end, when the page count is known ("Pagina X di Y")."""

    footer_left = ""
    footer_anchor = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width, _height = self._pagesize
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.4)
        self.line(MARGIN, MARGIN - 2 * mm, width - MARGIN, MARGIN - 2 * mm)
        self.setFont(FONT, 7)
        self.setFillColor(colors.HexColor("#444444"))
        self.drawString(MARGIN, MARGIN - 6 * mm, self.footer_left)
        if self.footer_anchor:
            self.setFont(FONT, 6)
            self.drawString(MARGIN, MARGIN - 9 * mm, self.footer_anchor)
        self.setFont(FONT_BOLD, 7.5)
        self.drawRightString(width - MARGIN, MARGIN - 6 * mm, f"Pagina {self._pageNumber} di {total}")
        self.restoreState()


class DocumentPage:
    """One document's page set-up: orientation, header text and footer fingerprint."""

    def __init__(
        self, bando: Bando, *, title: str, subject: str, fingerprint: str, landscape_pages: bool = False
    ) -> None:
        register_fonts()
        self.bando = bando
        self.title = title
        self.subject = subject
        self.fingerprint = fingerprint
        self.pagesize = landscape(A4) if landscape_pages else A4
        self.styles = Styles()

    @property
    def frame_width(self) -> float:
        return float(self.pagesize[0] - 2 * MARGIN)

    def _header(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        top = height - MARGIN + 4 * mm
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.setFont(FONT_BOLD, 8.5)
        # the call's own authority, programme and code («Comune di Milano · PON Metro 2014-2020 · MI3.3.1.e»)
        canvas.drawString(
            MARGIN, top, " · ".join(p for p in (self.bando.authority, self.bando.programme, self.bando.code) if p)
        )
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#333333"))
        canvas.drawRightString(width - MARGIN, top, self.title)
        title = self.bando.title
        limit = width - 2 * MARGIN
        if pdfmetrics.stringWidth(title, FONT_ITALIC, 7.5) > limit:
            while title and pdfmetrics.stringWidth(title + "…", FONT_ITALIC, 7.5) > limit:
                title = title[:-1]
            title = title.rstrip() + "…"
        canvas.setFont(FONT_ITALIC, 7.5)
        canvas.drawString(MARGIN, top - 4 * mm, title)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - 6 * mm, width - MARGIN, top - 6 * mm)
        canvas.restoreState()

    def build(self, story: Sequence[Flowable], after_build: Callable[[bytes], bytes] | None = None) -> bytes:
        """Lays out ``story`` and returns the PDF bytes (optionally post-processed, e.g. signature fields)."""
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_H - 4 * mm,
            bottomMargin=MARGIN + FOOTER_H - 4 * mm,
            title=f"{self.title} – {self.bando.code}",
            author=self.bando.authority,
            subject=self.subject,
            creator="valutazione",
            keywords=[self.bando.code, self.bando.programme, f"impronta {self.fingerprint}"],
            lang="it-IT",
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._header, pagesize=self.pagesize)])
        short = short_fingerprint(self.fingerprint)
        footer = f"{self.bando.authority} · {self.bando.code} · impronta SHA-256 {short}"
        attrs = {"footer_left": footer, "footer_anchor": _ANCHOR.get()}
        canvas_class = type("FooterCanvas", (_NumberedCanvas,), attrs)
        doc.build(list(story), canvasmaker=canvas_class)
        data = to_pdfa(buffer.getvalue())  # archived and signed: PDF/A-2b before any signature field
        return after_build(data) if after_build else data
