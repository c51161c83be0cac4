"""The minutes' item lists lay out every word where ReportLab's paragraphs put it, page by page."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from valutazione.db import Database
from valutazione.reports.items import ItemList, _Breaker, item_flowables
from valutazione.reports.layout import Styles, escape, para
from valutazione.reports.presplit import item_para
from valutazione.reports.verbale_data import collect_verbale

STYLE = Styles().small
WIDTH = A4[0] - 2 * 72 - 2 * 6  # SimpleDocTemplate's frame: one inch margins, 6 points of padding
WORDS = st.text(alphabet="abcdeèiouàMNWQ0123456789.,;:()/-–«»'\"", min_size=1, max_size=18)


def _reportlab_lines(text: str, width: float) -> list[tuple[float, list[str]]]:
    paragraph = Paragraph(escape(text), STYLE)
    paragraph.wrap(width, 10_000)
    return [(extra, list(words)) for extra, words in paragraph.blPara.lines]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(WORDS, min_size=1, max_size=60),
    spaces=st.lists(st.sampled_from([" ", " ", "  ", "   "]), min_size=60, max_size=60),
    width=st.floats(min_value=60, max_value=500),
)
def test_lines_are_reportlabs(words: list[str], spaces: list[str], width: float) -> None:
    """Plain text is broken into the very lines (words and unused width) ReportLab's Paragraph gives it."""
    text = "• " + "".join(w + s for w, s in zip(words, spaces, strict=False))
    ours = _Breaker(STYLE.fontName, STYLE.fontSize, width, STYLE.spaceShrinkage).lines(text)
    markup = any(c in text for c in "&<>")  # entities: several fragments, ReportLab's general path
    too_wide = any(_Breaker(STYLE.fontName, STYLE.fontSize, width, 0).lines(w) is None for w in words)
    assert (ours is None) == (markup or too_wide)
    if ours is not None:
        assert ours == _reportlab_lines(text, width)


@pytest.mark.parametrize("text", ["a\nb", "a\u00a0b", "soft\u00adhyphen", "tab\there", "A & B", "<x>", "x" * 400])
def test_special_text_stays_a_paragraph(text: str) -> None:
    """A newline, no-break space, soft hyphen, tab, markup character or over-wide word stays ReportLab's."""
    flowables = item_flowables(["• breve", f"• {text}", "• breve"], STYLE, WIDTH)
    assert [type(f).__name__ for f in flowables] == ["ItemList", "PresplitParagraph", "ItemList"]


def test_item_list_refuses_another_width() -> None:
    """Lines broken for one width are never drawn in a frame of another (the words would overflow)."""
    (items,) = item_flowables(["• una voce"], STYLE, WIDTH)
    assert isinstance(items, ItemList)
    with pytest.raises(ValueError, match="points"):
        items.wrap(WIDTH - 20, 500)


Word = tuple[str, float, float, float, float]  # text, xMin, yMin, xMax, yMax
WORD = re.compile(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">([^<]*)</word>')


def _words_by_page(pdf: bytes, tmp_path: Path, name: str) -> list[list[Word]]:
    """Every word with its box, page by page, as poppler reads them (``pdftotext -bbox``)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) non installato: impossibile confrontare le posizioni delle parole")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    html = subprocess.run([tool, "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [
        [(m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in WORD.findall(page)]
        for page in html.split("<page ")[1:]
    ]


def _same_place(ours: list[list[Word]], theirs: list[list[Word]]) -> bool:
    """Same pages, same words in the same order, each within 0.01 point of the other (rounding in the file)."""
    if [[w[0] for w in page] for page in ours] != [[w[0] for w in page] for page in theirs]:
        return False
    return all(
        abs(a - b) < 0.01
        for page_a, page_b in zip(ours, theirs, strict=True)
        for word_a, word_b in zip(page_a, page_b, strict=True)
        for a, b in zip(word_a[1:], word_b[1:], strict=True)
    )


def _build(story: list[Flowable]) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(story)
    return out.getvalue()


def _compare(texts: list[str], tmp_path: Path, lead: int) -> int:
    """Builds ``lead`` lines of preamble then the items, as paragraphs and as item lists; returns the pages."""
    preamble = [para("Premessa " * 12, STYLE) for _ in range(lead)]
    theirs = _build([*preamble, *(item_para(t, STYLE) for t in texts)])
    ours = _build([*preamble, *item_flowables(texts, STYLE, WIDTH)])
    expected = _words_by_page(theirs, tmp_path, "paragraphs")
    assert _same_place(_words_by_page(ours, tmp_path, "items"), expected)
    return len(expected)


@pytest.mark.parametrize("lead", [0, 1, 2, 5])
def test_pages_match_paragraphs(tmp_path: Path, lead: int) -> None:
    """Items of one to many lines, some special, cross page ends where the paragraphs did: no orphan line."""
    rng = random.Random(lead)
    vocabulary = ["domanda", "PG", "12345/2018", "ammessa.", "Motivazione:", "requisiti", "«rete»", "A&B", "<x>"]
    texts = []
    for i in range(400):
        words = rng.choices(vocabulary, k=rng.choice([3, 12, 20, 35, 60, 120]))
        text = "• " + " ".join(words)
        if i % 37 == 0:
            text += "\nseconda riga"
        texts.append(text)
    texts.insert(200, "• " + ", ".join(f"PG {i}/2018" for i in range(1500)))  # a list several pages long
    assert _compare(texts, tmp_path, lead) > 10


def test_verbale_items_match_paragraphs(committee_db: Database, tmp_path: Path) -> None:
    """The declarations and decisions of a real session are laid out as ReportLab laid them out before."""
    with committee_db.sessions() as s:
        data = collect_verbale(s, 1)
    texts = [f"• {item}" for section in (*data.declarations, *data.decisions) for item in section.items]
    assert len(texts) > 10
    _compare(texts * 4, tmp_path, 3)


@pytest.mark.parametrize("before", [64, 65, 66, 67, 68])
def test_page_end_keeps_no_orphan_line(tmp_path: Path, before: int) -> None:
    """With one line of room a long item moves on whole; with two or more it is cut where ReportLab cuts it."""
    three_lines = "• " + " ".join(["ammissibilità"] * 60)
    texts = [f"• voce {i}" for i in range(before)] + [three_lines, "• ultima voce"]
    assert _compare(texts, tmp_path, 0) == 2
