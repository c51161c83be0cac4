"""A fast grid for long lists (rankings of thousands of rows): measured once, split in O(rows on a page).

ReportLab's ``Table`` with a ``Paragraph`` per cell parses each cell's mark-up, measures it again on
every page split and re-lays out the whole remainder each time a page is cut: 4.6 s for a 1,000-row
ranking, growing quadratically. Here the column widths are fixed, so every cell is wrapped exactly
once when the table is built (``wrap_text``), each row's height is known, and a page split only
slices a shared list of rows. A cell is a few lines of plain text, each with its own font, size and
colour (a total and its raw points in grey below, a tax code under a name): all these documents need,
without a mark-up parser. Header rows repeat on every page; zebra stripes, full-width banner rows
(the funding line) and the grid are drawn as a handful of paths per page.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from valutazione.reports.layout import FONT, FONT_BOLD, GRID, HEAD_BG, ZEBRA, register_fonts
from valutazione.reports.textfit import text_width, wrap_lines

PAD_X = 2.5
PAD_Y = 2.0
LEADING = 1.2
LEFT, RIGHT, CENTER = "left", "right", "center"
MAX_CELL_LINES = 12  # a cell never grows past ~3.5 cm, so a row always fits a page: longer text ends in «…»


@dataclass(frozen=True)
class Ink:
    """How a piece of text is drawn: font, size and colour (hashable, so widths can be cached)."""

    font: str = FONT
    size: float = 6.8
    color: Any = colors.black

    @property
    def leading(self) -> float:
        return self.size * LEADING


TEXT = Ink()
BOLD = Ink(FONT_BOLD)
GREY = Ink(size=6.2, color=colors.HexColor("#555555"))
RED = Ink(color=colors.HexColor("#b3261e"))
HEAD = Ink(FONT_BOLD, 6.5)

Span = tuple[str, Ink]
Cell = str | Sequence[Span]  # plain text in the table's default ink, or pieces each starting a line


@dataclass(frozen=True)
class Banner:
    """A full-width row between data rows (the funding line): bold text on a coloured band."""

    text: str
    ink: Ink
    background: Any
    rule: Any  # colour of the thick lines above and below


def funding_banner(text: str) -> Banner:
    """The funding line: red bold text on a pale red band between thick red rules, in every document."""
    return Banner(text, Ink(FONT_BOLD, 6.8, RED.color), colors.HexColor("#fdecea"), RED.color)


def wrap_text(text: str, ink: Ink, width: float, max_lines: int | None = None) -> list[tuple[str, float]]:
    """Word wrap to ``width`` points (long words cut between characters), at most ``max_lines`` lines.

    Returns each line with its measured width (needed to right-align or centre it). Newlines are kept;
    text cut short ends in «…» (see ``textfit``).
    """
    return wrap_lines(text, ink.font, ink.size, width, max_lines)


_Line = tuple[str, Ink, float]  # text, ink, measured width


def _one_line(text: str, ink: Ink, width: float) -> _Line | None:
    """``text`` as its own single line when ``wrap_text`` would keep it whole (no newline, fits), else None."""
    if "\n" in text or len(text) >= 1000:  # textfit does not measure runs this long whole
        return None
    w = text_width(text, ink.font, ink.size)
    return (text, ink, w) if w <= width else None


@dataclass(frozen=True)
class _Row:
    height: float
    cells: tuple[tuple[_Line, ...], ...]  # empty for a banner
    banner: Banner | None = None


class RowsTable(Flowable):  # type: ignore[misc]
    """A grid of pre-wrapped rows with a repeated header; splits by slicing, never re-measuring."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell] | Banner],
        widths: Sequence[float],
        aligns: Sequence[str],
        *,
        zebra: bool = True,
        ink: Ink = TEXT,
    ) -> None:
        super().__init__()
        register_fonts()
        self.widths = tuple(float(w) for w in widths)
        self.aligns = tuple(aligns)
        self.zebra = zebra
        self.head = self._layout([[(h, HEAD)] for h in header], [CENTER] * len(header))
        self.rows = [self._banner(r) if isinstance(r, Banner) else self._layout(r, self.aligns, ink) for r in rows]
        self.start, self.stop = 0, len(self.rows)
        self.spaceAfter = 2.5  # points: a note or a heading right below never touches the grid
        self.width = sum(self.widths)
        self.height = self.head.height + sum(r.height for r in self.rows)
        self._below = [0.0]  # running sum of row heights, shared by every slice: a slice's height in O(1)
        for r in self.rows:
            self._below.append(self._below[-1] + r.height)

    def _layout(self, cells: Sequence[Cell], aligns: Sequence[str], ink: Ink = TEXT) -> _Row:
        laid: list[tuple[_Line, ...]] = []
        tallest = 0.0
        for cell, width in zip(cells, self.widths, strict=True):
            spans: Sequence[Span] = [(cell, ink)] if isinstance(cell, str) else cell
            lines: tuple[_Line, ...] = ()
            for k, (text_in, span_ink) in enumerate(spans):
                one = _one_line(text_in, span_ink, width - 2 * PAD_X)
                if one is not None:  # most cells: what wrap_text gives, without its generator
                    lines += (one,)
                    continue
                room = MAX_CELL_LINES - len(lines) - (len(spans) - k - 1)  # one line kept for each span after
                wrapped = wrap_text(text_in, span_ink, width - 2 * PAD_X, max(1, room))
                lines += tuple((text, span_ink, w) for text, w in wrapped)
            laid.append(lines)
            tallest = max(tallest, sum(line[1].leading for line in lines))
        return _Row(tallest + 2 * PAD_Y, tuple(laid))

    def _banner(self, banner: Banner) -> _Row:
        wrapped = wrap_text(banner.text, banner.ink, sum(self.widths) - 2 * PAD_X, MAX_CELL_LINES)
        lines = tuple((t, banner.ink, w) for t, w in wrapped)
        return _Row(sum(line[1].leading for line in lines) + 2 * PAD_Y + 1.5, (lines,), banner)

    def _piece(self, start: int, stop: int) -> RowsTable:
        """A slice sharing the laid-out rows and their running heights: O(1), whatever the table's length.

        Summing the slice's rows here instead made a 20,000-row verbale quadratic (one sum per page).
        """
        piece = copy.copy(self)
        piece.__dict__.pop("_postponed", None)  # the frame's mark on the whole, not on the new slice
        piece.start, piece.stop = start, stop
        piece.height = self.head.height + self._below[stop] - self._below[start]
        return piece

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.head.height
        end = self.start
        while end < self.stop and self.rows[end].height <= room:
            room -= self.rows[end].height
            end += 1
        if end < self.stop and self.rows[end].banner is not None and end - 1 > self.start:
            end -= 1  # never open a page with the funding line: take the row above it along
        if end == self.start:
            return []
        return [self._piece(self.start, end), self._piece(end, self.stop)]

    def draw(self) -> None:
        canvas = self.canv
        rows = [self.head, *self.rows[self.start : self.stop]]
        tops = [self.height]
        for r in rows:
            tops.append(tops[-1] - r.height)
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        canvas.saveState()
        self._fill(canvas, 0, self.head.height, HEAD_BG)
        for i, r in enumerate(rows[1:], start=1):
            if r.banner is not None:
                self._fill(canvas, tops[i + 1], r.height, r.banner.background)
            elif self.zebra and (self.start + i) % 2 == 0:
                self._fill(canvas, tops[i + 1], r.height, ZEBRA)
        self._grid(canvas, rows, tops, xs)
        text = canvas.beginText()
        current: tuple[str, float] | None = None
        color: Any = None
        for i, r in enumerate(rows):
            aligns = [CENTER] * len(xs) if i == 0 else self.aligns
            for c, lines in enumerate(r.cells):
                left = xs[0] if r.banner else xs[c]
                right = xs[-1] if r.banner else xs[c + 1]
                if i == 0:  # the header is centred vertically
                    height = sum(line[1].leading for line in lines)
                    y = tops[i] - PAD_Y - (r.height - 2 * PAD_Y - height) / 2
                else:
                    y = tops[i] - PAD_Y
                for content, ink, w in lines:
                    y -= ink.leading
                    if (ink.font, ink.size) != current:
                        current = (ink.font, ink.size)
                        text.setFont(ink.font, ink.size, ink.leading)
                    if ink.color is not color:  # the inks share their colours: identity is enough
                        color = ink.color
                        text.setFillColor(color)
                    align = LEFT if r.banner else aligns[c]
                    x = (
                        right - PAD_X - w
                        if align == RIGHT
                        else (left + right - w) / 2
                        if align == CENTER
                        else left + PAD_X
                    )
                    text.setTextOrigin(x, y + ink.size * 0.25)
                    text._textOut(content)  # each line placed by its origin: no cursor advance to measure
        canvas.drawText(text)
        canvas.restoreState()

    def _fill(self, canvas: Any, bottom: float, height: float, color: Any) -> None:
        canvas.setFillColor(color)
        canvas.rect(0, bottom, self.width, height, stroke=0, fill=1)

    def _grid(self, canvas: Any, rows: Sequence[_Row], tops: Sequence[float], xs: Sequence[float]) -> None:
        """All thin lines as one path: row rules, outer frame, column rules interrupted by banners."""
        path = canvas.beginPath()
        for y in tops:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
        for x in (xs[0], xs[-1]):
            path.moveTo(x, tops[0])
            path.lineTo(x, tops[-1])
        runs: list[tuple[float, float]] = []
        run_top = tops[0]
        for i, r in enumerate(rows):
            if r.banner is not None:
                if run_top > tops[i]:
                    runs.append((run_top, tops[i]))
                run_top = tops[i + 1]
        if run_top > tops[-1]:
            runs.append((run_top, tops[-1]))
        for x in xs[1:-1]:
            for top, bottom in runs:
                path.moveTo(x, top)
                path.lineTo(x, bottom)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.4)
        canvas.drawPath(path, stroke=1, fill=0)
        for i, r in enumerate(rows):
            if r.banner is not None:
                canvas.setStrokeColor(r.banner.rule)
                canvas.setLineWidth(1.6)
                canvas.line(0, tops[i], self.width, tops[i])
                canvas.line(0, tops[i + 1], self.width, tops[i + 1])
