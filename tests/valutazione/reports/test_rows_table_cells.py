"""A table cell that fits one line is laid out as the general word wrap lays it out."""

from __future__ import annotations

import pytest

from valutazione.reports.layout import register_fonts
from valutazione.reports.rows_table import BOLD, GREY, TEXT, Ink, _one_line, wrap_text
from valutazione.reports.textfit import text_width

register_fonts()
FITS = text_width("Associazione Quartiere 6 APS", TEXT.font, TEXT.size)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "–",
        "PG 101/2018",
        "Associazione Quartiere 6 APS",
        "Associazione Quartiere 6 APS e altri",
        "a\nb",
        "x" * 1200,
    ],
)
@pytest.mark.parametrize("ink", [TEXT, BOLD, GREY])
@pytest.mark.parametrize("width", [FITS - 0.01, FITS, FITS + 0.01, 400.0])
def test_one_line_is_what_wrap_text_gives(text: str, ink: Ink, width: float) -> None:
    """Short cells skip the wrapper only where it would return the text whole: same text, same width."""
    one = _one_line(text, ink, width)
    if one is not None:
        assert [(one[0], one[2])] == wrap_text(text, ink, width, 12)
        assert one[1] is ink
    if text in ("", "PG 101/2018") and width == 400.0:
        assert one is not None  # the short path is taken where it can be
