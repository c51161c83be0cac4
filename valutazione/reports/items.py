"""Long runs of one-paragraph items (the minutes' declarations and decisions) as one light flowable.

At 20,000 applications the minutes list over 20,000 items (an admissibility decision each) and a few
paragraphs tens of pages long (every sheet a member sent). As ReportLab paragraphs each item pays for
its mark-up parser, its own pass through the frame and its own text object: over half the time of the
whole document. Here a run of items is broken into lines once, placed by arithmetic on the line
height, and drawn as one text object per page.

The look and the words must not move by a point: the minutes are evidence. So the line breaking is
ReportLab's own greedy algorithm for a paragraph of one plain run, reproduced step by step (the same
widths, the same sums in the same order, the same 5 % space shrinkage), and the page breaks follow
``Paragraph.split`` (no orphan line at the foot of a page, widows allowed). Items this arithmetic does
not cover (a newline, a soft hyphen or any other special character, a word wider than the line) stay
ReportLab paragraphs, so what is produced is what ``Paragraph`` would produce; tests compare the two
line by line and page by page.
"""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable
from reportlab.platypus.paragraph import _leftDrawParaLine
from reportlab.rl_config import _FUZZ

from valutazione.reports.presplit import item_para

_Line = tuple[float, list[str]]
# Escaped, these become entities and the paragraph several fragments: ReportLab's other, general path.
# Not printable: newline (a <br/>), tab, no-break space and soft hyphen, control and format characters.
_MARKUP = frozenset("&<>")  # ReportLab's simple line: width left unused, and the words


def _plain_style(style: Any) -> bool:
    """A style under which ``Paragraph`` uses its simple path: left-aligned, no indent, no extras."""
    return (
        style.alignment == TA_LEFT
        and not style.firstLineIndent
        and not style.leftIndent
        and not style.rightIndent
        and not style.wordWrap
        and not style.shaping
        and not style.endDots
        and not style.hyphenationLang
        and not style.uriWasteReduce
        and not style.embeddedHyphenation
        and not style.backColor
        and not style.borderWidth
        and not style.allowOrphans
        and style.allowWidows
        and getattr(style, "autoLeading", "") in ("", "off")
        and not getattr(style, "textTransform", None)
    )


class _Breaker:
    """``Paragraph.breakLines`` for one plain run at one width; word widths remembered across items."""

    def __init__(self, font: str, size: float, width: float, shrinkage: float) -> None:
        self.font = font
        self.size = size
        self.width = width
        self.space = stringWidth(" ", font, size)
        self.shrink = shrinkage * self.space
        self.widths: dict[str, float] = {}

    def lines(self, text: str) -> list[_Line] | None:
        """The lines ``Paragraph`` gives ``text``, or None where its simple path would not be taken."""
        if not text.isprintable() or _MARKUP.intersection(text):
            return None
        widths = self.widths
        font, size, space, shrink, width = self.font, self.size, self.space, self.shrink, self.width
        lines: list[_Line] = []
        line: list[str] = []
        current = -space
        for word in text.split():
            w = widths.get(word)
            if w is None:
                w = widths[word] = stringWidth(word, font, size)
            if w > width:  # ReportLab would cut the word between characters
                return None
            new = current + space + w
            if new <= width + shrink * len(line) or not line:
                line.append(word)
                current = new
            else:
                lines.append((width - current, line))
                line = [word]
                current = w
        if line:
            lines.append((width - current, line))
        return lines


class ItemList(Flowable):  # type: ignore[misc]
    """Consecutive items, each laid out as ``item_para`` would, split by slicing one list of lines."""

    def __init__(self, items: Sequence[list[_Line]], style: Any, width: float) -> None:
        super().__init__()
        self.style = style
        self.leading = float(style.leading)
        self.line_width = width
        self.lines = [line for lines in items for line in lines]  # every item's lines, shared by the pieces
        self.bounds = [0]  # item k is lines[bounds[k]:bounds[k + 1]]
        for lines in items:
            self.bounds.append(self.bounds[-1] + len(lines))
        self.first, self.end = 0, len(self.lines)  # the lines this piece shows
        self.height = self.leading * self.end

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if abs(avail_width - self.line_width) > _FUZZ:
            raise ValueError(f"items broken for {self.line_width} points, laid out in {avail_width}")
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Whole items while they fit (the frame's test), then ``Paragraph.split`` on the first that does not."""
        if avail_height < _FUZZ:
            return []
        leading, bounds = self.leading, self.bounds
        room = avail_height
        k = bisect_right(bounds, self.first) - 1  # the item holding the piece's first line
        at = self.first
        while at < self.end:
            stop = bounds[k + 1]
            h = (stop - at) * leading
            if room - h < -_FUZZ:
                break
            room -= h
            at, k = stop, k + 1
        if at >= self.end:
            return [self]
        fit = int(room / leading)
        if fit > 1:  # the item is cut: its first lines here, the rest on the next page
            at += fit
        elif at == self.first:  # an orphan line, or no room: the item moves on whole, and it comes first
            return []
        return [self._piece(self.first, at), self._piece(at, self.end)]

    def _piece(self, first: int, end: int) -> ItemList:
        piece = copy.copy(self)
        piece.__dict__.pop("_postponed", None)  # the frame's mark on the whole, not on the new piece
        piece.first, piece.end = first, end
        piece.height = self.leading * (end - first)
        return piece

    def draw(self) -> None:
        """One text object for the piece: each line a leading below the last, as the paragraphs stack."""
        style = self.style
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        tx = canvas.beginText(0, self.height - style.fontSize)
        tx.setFont(style.fontName, style.fontSize, style.leading)
        for extra, words in self.lines[self.first : self.end]:
            _leftDrawParaLine(tx, 0, extra, words)
        canvas.drawText(tx)
        canvas.restoreState()


def item_flowables(texts: Sequence[str], style: Any, width: float) -> list[Flowable]:
    """``[item_para(t, style) for t in texts]`` laid out the same, runs of plain items as ``ItemList``."""
    if not _plain_style(style):
        return [item_para(t, style) for t in texts]
    breaker = _Breaker(style.fontName, style.fontSize, width, style.spaceShrinkage)
    out: list[Flowable] = []
    run: list[list[_Line]] = []
    for text in texts:
        lines = breaker.lines(text)
        if lines:
            run.append(lines)
            continue
        if run:
            out.append(ItemList(run, style, width))
            run = []
        out.append(item_para(text, style))
    if run:
        out.append(ItemList(run, style, width))
    return out
