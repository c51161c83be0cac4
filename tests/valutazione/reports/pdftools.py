"""Reading documents back: text, pages and fonts, with pypdf and (when installed) poppler."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """The document's text with whitespace collapsed, so a wrapped cell still matches."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, emb) for every font, as poppler's ``pdffonts`` reports them."""
    tool = shutil.which("pdffonts")
    if tool is None:
        pytest.skip("pdffonts (poppler-utils) non installato: impossibile verificare l'incorporamento dei font")
    path = tmp_path / "fonts-check.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: emb is the 5th field from the end
        rows.append((parts[0], parts[-5]))
    return rows


def assert_all_embedded(pdf: bytes, tmp_path: Path) -> None:
    fonts = fonts_of(pdf, tmp_path)
    assert fonts, "nessun font nel PDF"
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert all("DejaVuSans" in name for name, _ in fonts), fonts
