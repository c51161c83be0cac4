"""PDF/A-2b: the documents that get signed are archival records, and stay PDF/A after each signature.

Each requirement is read back with pikepdf (``pdfa_check``): XMP with pdfaid 2/B matching the
information dictionary, one sRGB output intent, every font embedded, no transparency, no scripts or
actions, a document ID, annotations printable with an appearance. Signing keeps it (incremental).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from tests.pki import export_p12, issue_signer, make_ca, make_nss_db, run_pdfsig, tools_missing
from tests.valutazione.reports.pdfa_check import problems
from tests.valutazione.reports.pdftools import assert_all_embedded, text_of
from tests.valutazione.reports.synth import ranking
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import from_ranking
from valutazione.reports.scheda import build_schede_pdf
from valutazione.reports.verbale import build_verbale_pdf
from valutazione.signer_identity import field_person
from valutazione.signing import list_signature_fields, p12_signer, sign_pdf, verify_pdf

PASSWORD = b"prova-pdfa"


def _documents(committee_db: Database, milano: Bando) -> dict[str, Callable[[], bytes]]:
    view = from_ranking(ranking(milano, 40))

    def verbale() -> bytes:
        with committee_db.sessions() as s:
            return build_verbale_pdf(s, 1)

    def schede() -> bytes:
        with committee_db.sessions() as s:
            return build_schede_pdf(s)

    return {
        "verbale": verbale,
        "schede": schede,
        "graduatoria": lambda: build_graduatoria_pdf(view, milano),
        "graduatoria-pubblica": lambda: build_graduatoria_pubblica_pdf(view, milano),
    }


@pytest.mark.parametrize("what", ["verbale", "schede", "graduatoria", "graduatoria-pubblica"])
def test_document_is_pdfa_2b(committee_db: Database, milano: Bando, tmp_path: Path, what: str) -> None:
    """Each document: XMP pdfaid 2/B = Info, sRGB intent, fonts embedded, no transparency/scripts, an ID."""
    pdf = _documents(committee_db, milano)[what]()
    assert problems(pdf) == []
    assert_all_embedded(pdf, tmp_path)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        xmp = doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "B"
        (intent,) = doc.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"


def test_checker_catches_what_it_guards() -> None:
    """The PDF/A reader is not blind: a plain ReportLab file breaks XMP, intent and ID rules."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFillAlpha(0.5)
    page.setFont("Helvetica", 10)  # base-14: never embedded
    page.drawString(60, 760, "prova")
    page.save()
    found = " | ".join(problems(buffer.getvalue()))
    for rule in ("XMP", "intenti di output", "trasparenza", "font non incorporato"):
        assert rule in found, found


def _sign_all(path: Path, tmp_path: Path) -> Path:
    """Every member signs their own box, with a certificate in their name from one test CA."""
    ca = make_ca(tmp_path)
    for i, field in enumerate(list_signature_fields(path)):
        person = field_person(field.name)
        assert person is not None
        signer = issue_signer(ca, tmp_path, person, f"s{i}")
        p12 = export_p12(signer, ca, tmp_path / f"s{i}.p12", PASSWORD)
        with p12_signer(p12, PASSWORD) as s:
            sign_pdf(path, path, field.name, s)
    return ca.pem_path


def test_signed_verbale_stays_pdfa(committee_db: Database, tmp_path: Path) -> None:
    """Signatures are incremental updates: the signed minutes keep every PDF/A requirement and verify."""
    with committee_db.sessions() as s:
        original = build_verbale_pdf(s, 1)
    path = tmp_path / "verbale.pdf"
    path.write_bytes(original)
    ca = _sign_all(path, tmp_path)
    signed = path.read_bytes()
    assert signed.startswith(original), "la firma deve aggiungere, non riscrivere"
    assert problems(signed) == []
    assert_all_embedded(signed, tmp_path)
    reports = verify_pdf(path, [ca])
    assert reports and all(r.ok and r.trusted for r in reports), [r.summary for r in reports]
    assert "Verbale della seduta n. 1" in text_of(signed)
    if not tools_missing("pdfsig", "certutil"):
        output, sigs = run_pdfsig(path, make_nss_db(tmp_path / "nss", ca))
        assert sigs and all(s.signature_valid and s.certificate_trusted for s in sigs), output


def test_first_page_renders(committee_db: Database, tmp_path: Path) -> None:
    """poppler renders the PDF/A minutes (a page is turned into a PNG of a sensible size)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (poppler-utils) non installato")
    with committee_db.sessions() as s:
        (tmp_path / "verbale.pdf").write_bytes(build_verbale_pdf(s, 1))
    subprocess.run([tool, "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "verbale.pdf"), str(tmp_path / "p")])
    (png,) = tmp_path.glob("p*.png")
    assert png.stat().st_size > 10_000
