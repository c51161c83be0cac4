"""Fitting text of any length into a box: wrap it, and past a number of lines cut it with «…».

Applicants' names and titles come from outside: a temporary grouping of ninety partners has a
3,000-character name, and a hostile or broken import can bring 100,000 characters. A table cell that
grows taller than a page cannot be split by ReportLab and fails the whole document (``LayoutError``),
so every cell and heading goes through here: text that fits a few lines is kept whole, longer text is
shortened visibly (the ellipsis says something was left out; the full text stays in the file and in
the exports). Words longer than a line are cut between characters. The work stops as soon as the
lines allowed are full, so a 100,000-character name costs no more than a short one.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from reportlab.pdfbase import pdfmetrics

ELLIPSIS = "…"
Line = tuple[str, float]  # the text of a line and its measured width in points


@lru_cache(maxsize=65536)
def text_width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _char_cut(word: str, font: str, size: float, width: float) -> tuple[str, str]:
    """The longest head of ``word`` that fits ``width`` (at least one character) and the rest."""
    used = 0.0
    for i, ch in enumerate(word):
        used += text_width(ch, font, size)
        if used > width and i > 0:
            return word[:i], word[i:]
    return word, ""


def _with_ellipsis(line: str, font: str, size: float, width: float) -> Line:
    """``line`` shortened until ``line + …`` fits ``width``; trailing spaces and commas dropped."""
    room = width - text_width(ELLIPSIS, font, size)
    if text_width(line, font, size) > room:
        line, _ = _char_cut(line, font, size, max(room, 0.0))
        while line and text_width(line, font, size) > room:
            line = line[:-1]
    line = line.rstrip(" ,;:-–") + ELLIPSIS
    return line, text_width(line, font, size)


def _measure(text: str, font: str, size: float, width: float) -> float:
    """The width of ``text``, or just "too wide" for very long runs (no need to measure them whole)."""
    return text_width(text, font, size) if len(text) < 1000 else width + 1


def _lines(text: str, font: str, size: float, width: float) -> Iterator[Line]:
    """Lines produced lazily, so the caller can stop as soon as it has enough."""
    space = text_width(" ", font, size)
    for paragraph in text.split("\n"):
        whole = _measure(paragraph, font, size, width)
        if whole <= width:
            yield paragraph, whole
            continue
        line: list[str] = []
        used = -space
        for word in paragraph.split():
            w = _measure(word, font, size, width)
            while w > width:  # an unbreakable run (a code, a URL, garbage): cut it by characters
                if line:
                    yield " ".join(line), used
                    line, used = [], -space
                head, word = _char_cut(word, font, size, width)
                yield head, text_width(head, font, size)
                w = _measure(word, font, size, width)
            if not word:
                continue
            if line and used + space + w > width:
                yield " ".join(line), used
                line, used = [], -space
            line.append(word)
            used += space + w
        yield " ".join(line), max(used, 0.0)


def wrap(text: str, font: str, size: float, width: float, max_lines: int | None = None) -> tuple[list[Line], bool]:
    """Greedy word wrap to ``width`` points, newlines kept; past ``max_lines`` the last line ends in «…».

    Returns the lines and whether the text was shortened.
    """
    if max_lines is None:
        return list(_lines(text, font, size, width)), False
    lines = list(islice(_lines(text, font, size, width), max_lines + 1))
    if len(lines) <= max_lines:
        return lines, False
    del lines[max_lines:]
    lines[-1] = _with_ellipsis(lines[-1][0], font, size, width)
    return lines, True


def wrap_lines(text: str, font: str, size: float, width: float, max_lines: int | None = None) -> list[Line]:
    """The lines of :func:`wrap` alone."""
    return wrap(text, font, size, width, max_lines)[0]


def fit_text(text: str, font: str, size: float, width: float, max_lines: int) -> str:
    """``text`` itself when it fits ``max_lines`` lines of ``width``, else its first lines ending in «…».

    For ReportLab paragraphs, which wrap by themselves: the shortened text is re-wrapped by the
    paragraph in about as many lines, so the cell's height stays bounded.
    """
    lines, shortened = wrap(text, font, size, width, max_lines)
    return " ".join(t for t, _ in lines) if shortened else text
