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

Splitting itself also walked the remainder: ``Paragraph.split`` rebuilds the remainder's word list
(``_split_blParaSimple``) at every page, which is again lines × pages. In the same simple case this
class splits the lines it has (the same arithmetic as ``Paragraph.split``) and builds the remainder's
words only if something asks for them (a different width, ``getPlainText``): the part printed on the
page gets its words as before.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import FragLine, ParaLines, _split_blParaSimple, _SplitWordHY
from reportlab.rl_config import _FUZZ

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

    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: the words of a remainder split off by _split_lines,
        # built on first use exactly as Paragraph.split would have built them.
        if name == "frags" and "_words" in self.__dict__:
            lines, start, stop = self.__dict__.pop("_words")
            self.frags = _split_blParaSimple(lines, start, stop)
            return self.frags
        raise AttributeError(name)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        had_lines = getattr(self, "blPara", None)
        if self._simple(had_lines, avail_width):
            return self._split_lines(had_lines, avail_width, avail_height)
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

    def _simple(self, lines: Any, avail_width: float) -> bool:
        """Lines already broken at this width, plain words in a plain list, the last word whole."""
        return (
            lines is not None
            and lines.kind == 0
            and type(lines.lines) is list
            and len(lines.lines) > 0
            and getattr(self, "width", None) == avail_width
            and avail_width >= _FUZZ
            and bool(lines.lines[-1][1])
            and not isinstance(lines.lines[-1][1][-1], _SplitWordHY)
            and self._reusable()
        )

    def _split_lines(self, lines: Any, avail_width: float, avail_height: float) -> list[Flowable]:
        """``Paragraph.split`` for simple lines at a fixed leading, without walking the remainder."""
        if avail_height < _FUZZ:
            return []
        style = self.style
        leading = style.leading
        fit = int(avail_height / float(leading))
        height = fit * leading
        allow_orphans = getattr(self, "allowOrphans", getattr(style, "allowOrphans", 0))
        if (not allow_orphans and fit <= 1) or fit == 0:  # orphan, or no room at all
            del self.blPara
            return []
        total = len(lines.lines)
        if total <= fit:
            return [self]
        if not getattr(self, "allowWidows", getattr(style, "allowWidows", 1)) and total == fit + 1:
            if (allow_orphans and total == 3) or total > 3:
                fit -= 1  # give the widow some company
            else:
                del self.blPara  # no room for adjustment: the whole paragraph goes onwards
                return []
        first = self.__class__(None, style, bulletText=self.bulletText, frags=_split_blParaSimple(lines, 0, fit))
        first.blPara = ParaLines(kind=1, lines=lines.lines[0:fit], aH=avail_height, aW=avail_width)
        last = lines.lines[fit - 1]
        first._JustifyLast = not (isinstance(last, FragLine) and hasattr(last, "lineBreak") and last.lineBreak)
        first._splitpara = 1
        first.height = height
        first.width = avail_width
        second = self.__class__(None, style, bulletText=None, frags=[])
        del second.frags
        second._words = (lines, fit, total)
        rest = lines.clone()
        rest.lines = lines.lines[fit:]
        second._rest = (avail_width, rest)
        if hasattr(self, "autoLeading"):
            first.autoLeading = second.autoLeading = self.autoLeading
        return [first, second]


def item_para(text: str, style: Any) -> PresplitParagraph:
    """A body paragraph of plain text (escaped, newlines kept), as ``layout.para`` makes for body styles."""
    return PresplitParagraph(escape(text).replace("\n", "<br/>"), style)
