"""The evaluator's desktop under test: a real committee file, isolated Qt settings, headless Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from tests.ui import screenshots  # noqa: E402
from ui.app import guard_none_refcount  # noqa: E402
from valutazione.bando import default_template, load_bando  # noqa: E402
from valutazione.db import create_database  # noqa: E402
from valutazione.importers.attachments import split_attachments  # noqa: E402
from valutazione.importers.domande import import_domande  # noqa: E402
from valutazione.services import committee  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "domande-esempio.csv"
MEMBERS = (
    ("Anna Rossi", "presidente"),
    ("Bruno Bianchi", "componente"),
    ("Carla Verdi", "componente"),
    ("Dario Neri", "segretario"),
)


guard_none_refcount()  # the GUI's protection against PySide6's stray decrements of None (see ui/app.py)


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots go to a temporary folder of the session (or to $VALUTAZIONE_SCREENSHOTS), never the repo."""
    folder = tmp_path_factory.mktemp("screenshots")
    screenshots.use_session_folder(folder)
    return folder


@pytest.fixture(autouse=True)
def isolated_settings(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings of tests live in a temporary folder under an organisation of their own."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName(f"valutazione-test-{uuid.uuid4().hex[:8]}")
    QCoreApplication.setApplicationName("valutazione-test")
    yield


def write_proposal(path: Path, protocol: str, title: str, applicant: str) -> None:
    """A two-page proposal PDF, so that page navigation and search have something to find."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(60, 780, f"Proposta progettuale {protocol}")
    pdf.setFont("Helvetica", 12)
    pdf.drawString(60, 750, title)
    pdf.drawString(60, 730, f"Soggetto proponente: {applicant}")
    pdf.drawString(60, 700, "1. Bisogni del quartiere e obiettivi del progetto.")
    pdf.showPage()
    pdf.setFont("Helvetica", 12)
    pdf.drawString(60, 780, "2. Piano economico e cofinanziamento.")
    pdf.drawString(60, 760, "Sostenibilita: modello di ricavi dopo il contributo.")
    pdf.showPage()
    pdf.save()


def attachments_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with SAMPLE.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            for name in split_attachments(row.get("Allegati") or ""):
                if name.lower().endswith(".pdf") and not (folder / name).exists():
                    write_proposal(folder / name, row["Protocollo"], row["Titolo progetto"], row["Denominazione"])
    return folder


def build_committee_file(path: Path) -> Path:
    """The Milan call, the sample applications with their PDFs, a committee of four."""
    db = create_database(path, load_bando(default_template()))
    try:
        folder = attachments_folder(path.parent / "allegati")
        with db.sessions.begin() as s:
            import_domande(s, SAMPLE, allegati=folder, skip_invalid=True, actor="test")
            for name, role in MEMBERS:
                committee.add_member(s, name, role, actor="test")
    finally:
        db.close()
    return path


@pytest.fixture(scope="session")
def committee_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_committee_file(tmp_path_factory.mktemp("template") / "commissione.valutazione")


@dataclass
class CommitteeFile:
    path: Path


@pytest.fixture
def committee_file(committee_template: Path, tmp_path: Path) -> CommitteeFile:
    """A fresh copy per test (SQLite backup API: consistent even with a WAL)."""
    from valutazione.db import backup_to

    target = tmp_path / "commissione.valutazione"
    backup_to(committee_template, target)
    return CommitteeFile(target)
