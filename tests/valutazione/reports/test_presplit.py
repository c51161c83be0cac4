"""The pre-split paragraph lays out long text exactly as ReportLab's own Paragraph does."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, SimpleDocTemplate

from valutazione.reports.layout import Styles, escape
from valutazione.reports.presplit import PresplitParagraph, item_para


def _streams(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [page.obj.Contents.read_bytes() for page in doc.pages]


def _build(cls: type[Paragraph], text: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, invariant=1)
    doc.build([cls(escape(text), Styles().small) for _ in range(2)])
    return out.getvalue()


def test_long_paragraph_same_pages_as_reportlab() -> None:
    """Minutes' long sentences (every protocol a member sent) keep the same lines and pages when pre-split."""
    text = "• Mario Rossi: 3000 schede inviate (domande " + ", ".join(f"B-2026-{i:05d}" for i in range(3000)) + ")."
    ours, theirs = _build(PresplitParagraph, text), _build(Paragraph, text)
    assert len(_streams(theirs)) > 5
    assert _streams(ours) == _streams(theirs)


def test_item_para_keeps_line_breaks_and_escapes() -> None:
    """An item with newlines and markup characters is laid out as layout.para would: escaped, lines kept."""
    text = "Motivo: a < b & c\n" * 400
    ours = _build(PresplitParagraph, text.replace("\n", " "))
    theirs = _build(Paragraph, text.replace("\n", " "))
    assert _streams(ours) == _streams(theirs)
    assert "&lt;" in item_para("a < b\nc", Styles().small).text


def _build_frames(cls: type[Paragraph], text: str, style: Any) -> bytes:
    """Two page templates whose frames differ in width: the remainder is broken again on the narrow one."""
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, invariant=1)
    wide = Frame(40, 40, 500, 760, id="wide")
    narrow = Frame(40, 40, 300, 760, id="narrow")
    doc.addPageTemplates(
        [
            PageTemplate("wide", [wide], onPage=lambda c, d: None, autoNextPageTemplate="narrow"),
            PageTemplate("narrow", [narrow], autoNextPageTemplate="wide"),
        ]
    )
    doc.build([cls(escape(text), style) for _ in range(2)])
    return out.getvalue()


def _long_text(n: int) -> str:
    return "• Mario Rossi: schede inviate (domande " + ", ".join(f"B-2026-{i:05d}" for i in range(n)) + ")."


def test_split_lines_match_reportlab_when_the_width_changes() -> None:
    """A remainder moving to a narrower frame gets its words back and is broken as ReportLab breaks it."""
    text = _long_text(2500)
    ours, theirs = (
        _build_frames(PresplitParagraph, text, Styles().small),
        _build_frames(Paragraph, text, Styles().small),
    )
    assert len(_streams(theirs)) > 5
    assert _streams(ours) == _streams(theirs)


@pytest.mark.parametrize(("widows", "orphans"), [(0, 0), (0, 1), (1, 1)])
def test_split_lines_keep_reportlab_widow_and_orphan_rules(widows: int, orphans: int) -> None:
    """With widows or orphans forbidden or allowed, the pre-split lines fall on the same pages."""
    style = ParagraphStyle("items", parent=Styles().small, allowWidows=widows, allowOrphans=orphans)
    for n in (700, 701, 733):
        text = _long_text(n)
        out_ours, out_theirs = io.BytesIO(), io.BytesIO()
        for cls, out in ((PresplitParagraph, out_ours), (Paragraph, out_theirs)):
            doc = SimpleDocTemplate(out, pagesize=A4, invariant=1)
            doc.build([Paragraph("Premessa", style), cls(escape(text), style), cls(escape(text), style)])
        assert _streams(out_ours.getvalue()) == _streams(out_theirs.getvalue())


def test_remainder_words_are_reportlabs() -> None:
    """The parts of a split paragraph hold the words ReportLab's split gives them (the remainder's on demand)."""
    text = _long_text(1500)
    ours, theirs = PresplitParagraph(escape(text), Styles().small), Paragraph(escape(text), Styles().small)
    for para in (ours, theirs):
        para.wrap(450, 700)
    mine, reportlabs = ours.split(450, 700), theirs.split(450, 700)
    assert len(mine) == len(reportlabs) == 2
    assert "_words" in mine[1].__dict__  # not built until asked for
    for a, b in zip(mine, reportlabs, strict=True):
        assert [f.words for f in a.frags] == [f.words for f in b.frags]
        assert a.frags[0].words
    assert "_words" not in mine[1].__dict__


@pytest.mark.parametrize(("widows", "orphans"), [(0, 0), (0, 1), (1, 0), (1, 1)])
@pytest.mark.parametrize("words", [3, 40, 120])
def test_split_at_every_height_takes_reportlabs_lines(widows: int, orphans: int, words: int) -> None:
    """At every room left on a page (widow and orphan rules included), both take the same lines, or none."""
    style = ParagraphStyle("items", parent=Styles().small, allowWidows=widows, allowOrphans=orphans)
    text = " ".join(f"B-2026-{i:05d}" for i in range(words))
    probe = Paragraph(escape(text), style)
    probe.wrap(120, 10_000)
    for lines in range(0, len(probe.blPara.lines) + 2):
        height = lines * style.leading + 0.5
        ours, theirs = PresplitParagraph(escape(text), style), Paragraph(escape(text), style)
        for para in (ours, theirs):
            para.wrap(120, 10_000)
        mine, reportlabs = ours.split(120, height), theirs.split(120, height)
        assert [len(p.blPara.lines) if hasattr(p, "blPara") else None for p in mine[:1]] == [
            len(p.blPara.lines) if hasattr(p, "blPara") else None for p in reportlabs[:1]
        ], lines
        assert len(mine) == len(reportlabs), lines
