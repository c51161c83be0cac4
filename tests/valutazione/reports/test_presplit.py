"""The pre-split paragraph lays out long text exactly as ReportLab's own Paragraph does."""

from __future__ import annotations

import io

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

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
