"""A paragraph that breaks its lines once, however many pages it spans.

ReportLab's ``Paragraph.split`` gives the part that does not fit a new paragraph built from the
remaining words, which breaks them into lines again on the next page: a paragraph of L lines over
P pages costs L × P line measurements. The minutes have such paragraphs (one sentence per member
listing every application whose sheet was sent: at 20,000 applications, tens of pages each), and
that made the verbale grow with the square of the call's size (×48 for ×20 rows).

Greedy line breaking at the same width gives, from the first word of a line, the same lines again,
so the remainder can keep the lines already broken: same text, same lines, same pages; only the
second breaking is skipped. That holds when every line has the same width (no first-line indent, no
bullet), the leading is fixed and the text is one plain run (ReportLab's simple
lines, ``kind`` 0); otherwise this class behaves exactly like ``Paragraph``.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Paragraph

from valutazione.reports.layout import escape


class PresplitParagraph(Paragraph):  # type: ignore[misc]
    """``Paragraph`` whose split-off remainder reuses the lines already broken for the same width."""

    _rest: tuple[float, Any] | None = None  # (width, ReportLab's ParaLines of the remaining lines)

    def _reusable(self) -> bool:
        style = self.style
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return (
            auto in ("", "off")
            and not style.firstLineIndent
            and not self.bulletText
            and getattr(style, "wordWrap", None) != "CJK"
            and not getattr(style, "endDots", None)
        )

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        rest = self._rest
        if rest is not None and rest[0] == avail_width:
            # What Paragraph.wrap would compute from these words at this width (fixed leading).
            self.width = avail_width
            self.blPara = rest[1]
            self.height = len(rest[1].lines) * self.style.leading
            return self.width, self.height
        self._rest = None
        size: tuple[float, float] = super().wrap(avail_width, avail_height)
        return size

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        had_lines = getattr(self, "blPara", None)
        parts: list[Flowable] = super().split(avail_width, avail_height)
        if len(parts) != 2 or had_lines is None or had_lines.kind != 0 or self.width != avail_width:
            return parts
        if not self._reusable():
            return parts
        first, second = parts
        taken = len(first.blPara.lines)
        rest = had_lines.clone()
        rest.lines = had_lines.lines[taken:]
        second._rest = (avail_width, rest)
        return parts


def item_para(text: str, style: Any) -> PresplitParagraph:
    """A body paragraph of plain text (escaped, newlines kept), as ``layout.para`` makes for body styles."""
    return PresplitParagraph(escape(text).replace("\n", "<br/>"), style)
