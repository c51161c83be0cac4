"""The Documenti menu: export, print, sign and verify from the GUI, on a demo-like file, read back for real."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from tests.pki import (
    SOFTHSM_MODULE,
    Issued,
    SoftToken,
    export_p12,
    import_into_token,
    init_softhsm_token,
    issue_signer,
    make_ca,
    tools_missing,
)
from tests.ui.helpers import click, enter_as, open_window
from tests.ui.screenshots import shoot
from ui import dialogs
from ui.documents import ExportDialog, SignDialog, VerifyDialog
from ui.main_window import MainWindow
from valutazione.db import backup_to, opened
from valutazione.demo import build_demo
from valutazione.models import AuditRow

CALL = "MI3.3.1.e"
CHAIR = "Laura Fumagalli"
CHAIR_FIELD = "Presidente - Laura Fumagalli"
PASSWORD = "segreto-di-prova"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.valutazione")


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo file per test (the SQLite backup API copies the WAL too)."""
    target = tmp_path / "demo.valutazione"
    backup_to(demo_template, target)
    return target


@dataclass(frozen=True)
class Pki:
    ca: Issued
    p12: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = make_ca(directory)
    signer = issue_signer(ca, directory, CHAIR, "presidente")
    return Pki(ca, export_p12(signer, ca, directory / "presidente.p12", PASSWORD.encode()))


def window_as(qtbot: Any, path: Path, name: str = CHAIR) -> MainWindow:
    window = open_window(qtbot, path)
    enter_as(qtbot, window, name)
    return window


def save_to(monkeypatch: pytest.MonkeyPatch, folder: Path, asked: list[str] | None = None) -> None:
    """The save dialog answers with the suggested name, inside ``folder``."""

    def answer(_parent: Any, _title: str, suggested: str, _filter: str = "") -> tuple[str, str]:
        if asked is not None:
            asked.append(Path(suggested).name)
        return str(folder / Path(suggested).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)


def export_dialog(qtbot: Any, window: MainWindow, *, printing: bool = False) -> ExportDialog:
    (window.documents.print_action if printing else window.documents.export_action).trigger()
    dialog = window.documents.dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitExposed(dialog)
    return dialog


def run(qtbot: Any, dialog: Any, button: Any) -> None:
    click(qtbot, button)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=30000)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- export -----------------------------------------------------------------------------------------


def test_every_document_in_every_supported_format_is_written_and_reads_back(
    qtbot: Any, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each document is offered only in the formats the core supports, named by what it holds, and reads back."""
    window = window_as(qtbot, demo)
    dialog = export_dialog(qtbot, window)
    asked: list[str] = []
    save_to(monkeypatch, tmp_path, asked)
    expected = {
        "graduatoria": ("pdf", "csv", "xlsx", "json"),
        "graduatoria-pubblica": ("pdf", "csv", "xlsx", "json"),
        "schede": ("pdf", "csv", "xlsx", "json"),
        "avanzamento": ("pdf", "csv", "xlsx"),
        "verbale": ("pdf",),  # last: the dialog's open buttons below act on it
    }
    for what, formats in expected.items():
        dialog.select(what)
        assert tuple(dialog.fmt.itemData(i) for i in range(dialog.fmt.count())) == formats
        for fmt in formats:
            dialog.select(what, fmt)
            run(qtbot, dialog, dialog.go_button)
            assert dialog.result_box.isVisible(), dialog.status.text()
            data = dialog.last_path.read_bytes()
            if fmt == "pdf":
                text = pdf_text(data)
                assert CALL in text
                assert what != "verbale" or "seduta n. 1" in text.lower()
                assert what != "schede" or "PG 101/2018" in text
            elif fmt == "csv":
                assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
                assert b"PG 1" in data or what in ("graduatoria-pubblica", "avanzamento")
            elif fmt == "xlsx":
                assert load_workbook(io.BytesIO(data)).worksheets[0].max_row > 1
            else:
                assert json.loads(data)
    assert asked[0] == "graduatoria-v1-provvisoria.pdf"
    assert "verbale-seduta-1.pdf" in asked and "schede-di-valutazione.xlsx" in asked
    assert not list(tmp_path.glob("*.tmp"))
    assert window.documents.last_verbale == tmp_path / "verbale-seduta-1.pdf"
    opened: list[Path] = []
    monkeypatch.setattr(dialogs, "open_external", lambda path: opened.append(path) or True)
    click(qtbot, dialog.open_button)
    click(qtbot, dialog.folder_button)
    assert opened == [tmp_path / "verbale-seduta-1.pdf", tmp_path]


def test_computed_ranking_is_offered_to_the_chair_and_marked_not_approved(
    qtbot: Any, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The latest approved version is the default; the ranking computed now prints «NON APPROVATA»."""
    window = window_as(qtbot, demo)
    dialog = export_dialog(qtbot, window)
    save_to(monkeypatch, tmp_path)
    dialog.select("graduatoria")
    assert dialog.choice().version == 1
    dialog.version.setCurrentIndex(dialog.version.count() - 1)
    assert "non approvata" in dialog.version.currentText()
    run(qtbot, dialog, dialog.go_button)
    assert dialog.last_path == tmp_path / "graduatoria-non-approvata.pdf"
    assert "NON APPROVATA" in pdf_text(dialog.last_path.read_bytes())


def test_member_exports_only_what_the_core_lets_them_see(
    qtbot: Any, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member who has submitted nothing gets the core's refusal for the sheets, and no unapproved ranking."""
    from valutazione.db import opened
    from valutazione.services import committee

    with opened(demo) as db, db.sessions.begin() as s:
        member = committee.add_member(s, "Paolo Riva", "componente", "test")
        committee.declare_general(s, member.id)
    window = window_as(qtbot, demo, "Paolo Riva")
    dialog = export_dialog(qtbot, window)
    save_to(monkeypatch, tmp_path)
    dialog.select("graduatoria")
    assert all("non approvata" not in dialog.version.itemText(i) for i in range(dialog.version.count()))
    dialog.select("schede", "csv")
    run(qtbot, dialog, dialog.go_button)
    assert "prima di aver inviato la propria scheda" in dialog.status.text()
    assert not (tmp_path / "schede-di-valutazione.csv").exists()


def test_member_who_submitted_exports_the_sheets_of_those_applications(
    qtbot: Any, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member who submitted their sheets sees the colleagues' marks on those applications."""
    window = window_as(qtbot, demo, "Nadia Cattaneo")
    dialog = export_dialog(qtbot, window)
    save_to(monkeypatch, tmp_path)
    dialog.select("schede", "json")
    run(qtbot, dialog, dialog.go_button)
    assert dialog.result_box.isVisible(), dialog.status.text()
    assert "Stefano Brambilla" in (tmp_path / "schede-di-valutazione.json").read_text(encoding="utf-8")


# --- print ------------------------------------------------------------------------------------------


def test_print_renders_every_page_of_the_document(qtbot: Any, demo: Path, tmp_path: Path) -> None:
    """Stampa offers PDF documents only and prints as many pages as the document has."""
    window = window_as(qtbot, demo)
    dialog = export_dialog(qtbot, window, printing=True)
    assert not dialog.fmt.isVisible()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "stampa.pdf"
    printer.setOutputFileName(str(out))
    dialog.printer = printer
    dialog.select("graduatoria")
    run(qtbot, dialog, dialog.go_button)
    assert dialog.pages_printed >= 2
    assert len(PdfReader(out).pages) == dialog.pages_printed
    assert "stampato" in dialog.status.text()
    shoot(qtbot, dialog, "doc-print")


# --- sign and verify --------------------------------------------------------------------------------


def exported_verbale(qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dialog = export_dialog(qtbot, window)
    save_to(monkeypatch, tmp_path)
    dialog.select("verbale")
    run(qtbot, dialog, dialog.go_button)
    shoot(qtbot, dialog, "doc-export")
    dialog.close()
    assert window.documents.last_verbale is not None
    return window.documents.last_verbale


def sign_dialog(qtbot: Any, window: MainWindow) -> SignDialog:
    window.documents.sign_action.trigger()
    dialog = window.documents.dialog
    assert isinstance(dialog, SignDialog)
    qtbot.waitExposed(dialog)
    return dialog


def field_texts(dialog: SignDialog) -> dict[str, bool]:
    """Field list as shown: text → whether it can be chosen."""
    items = [dialog.fields.item(i) for i in range(dialog.fields.count())]
    return {item.text(): bool(item.flags() & Qt.ItemFlag.ItemIsSelectable) for item in items}


def test_sign_with_pkcs12_then_verify_valid_and_trusted(
    qtbot: Any, demo: Path, tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing the verbale's field through the dialog; the verifier shows it valid and trusted by the test CA."""
    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    dialog = sign_dialog(qtbot, window)
    assert dialog.pdf.text() == str(verbale)
    assert dialog.field() == CHAIR_FIELD
    dialog.p12.setText(str(pki.p12))
    qtbot.keyClicks(dialog.password, PASSWORD)
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    run(qtbot, dialog, dialog.sign_button)
    shoot(qtbot, dialog, "doc-sign")
    assert "firmato da Laura Fumagalli" in dialog.status.text(), dialog.status.text()
    assert asked and verbale.name in asked[0]
    assert dialog.password.text() == ""
    assert field_texts(dialog)[f"{CHAIR_FIELD} — già firmato"] is False
    assert dialog.field() is None and dialog.p12.text() == ""  # the next box waits for its own person

    window.documents.verify_action.trigger()
    check = window.documents.dialog
    assert isinstance(check, VerifyDialog) and check.pdf.text() == str(verbale)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(pki.ca.pem_path)], ""))
    click(qtbot, check.add_ca_button)
    run(qtbot, check, check.verify_button)
    row = [check.table.model().index(0, c).data() for c in range(check.table.model().columnCount())]
    assert row[:2] == [CHAIR_FIELD, CHAIR]
    assert row[3:] == ["sì", "sì", "sì", "no"]
    assert check.table.model().index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#d8efd9"
    assert "certificato attendibile" in check.summary.toPlainText()
    assert "Componente - Nadia Cattaneo" in check.empty.text()
    shoot(qtbot, check, "doc-verify")


def test_another_persons_box_is_refused_without_delegation_and_signed_with_it(
    qtbot: Any, demo: Path, tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chair's certificate cannot sign a member's box; with a delegation it can, and the log says so."""
    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    before = verbale.read_bytes()
    dialog = sign_dialog(qtbot, window)
    assert dialog.field() == CHAIR_FIELD  # the box of whoever entered
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    other = "Componente - Nadia Cattaneo"
    dialog.fields.setCurrentRow(list(field_texts(dialog)).index(other))
    dialog.p12.setText(str(pki.p12))
    qtbot.keyClicks(dialog.password, PASSWORD)
    run(qtbot, dialog, dialog.sign_button)
    assert "il campo è di Nadia Cattaneo, ma il certificato è intestato a Laura Fumagalli" in dialog.status.text()
    assert verbale.read_bytes() == before
    shoot(qtbot, dialog, "doc-sign-refused")

    dialog.p12.setText(str(pki.p12))
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.delegation, "Delega prot. 123 del 2 marzo 2026")
    run(qtbot, dialog, dialog.sign_button)
    assert "firmato da Laura Fumagalli" in dialog.status.text(), dialog.status.text()
    assert field_texts(dialog)[f"{other} — già firmato"] is False
    assert dialog.delegation.text() == ""
    window.close()
    with opened(demo) as db, db.sessions() as s:
        row = s.scalars(select(AuditRow).where(AuditRow.action == "firma.delega")).one()
    assert row.actor == CHAIR and "Delega prot. 123 del 2 marzo 2026" in row.after_json and other in row.after_json


def test_a_member_cannot_record_a_delegation(qtbot: Any, demo: Path) -> None:
    """Only the chair may write a delegation: a member's dialog keeps the field disabled."""
    window = window_as(qtbot, demo, "Nadia Cattaneo")
    dialog = sign_dialog(qtbot, window)
    assert not dialog.delegation.isEnabled()
    window.close()


def test_wrong_password_is_told_in_italian_and_the_pdf_is_unchanged(
    qtbot: Any, demo: Path, tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong PKCS#12 password shows the core's message; the file is byte for byte what it was."""
    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    before = verbale.read_bytes()
    dialog = sign_dialog(qtbot, window)
    dialog.p12.setText(str(pki.p12))
    qtbot.keyClicks(dialog.password, "sbagliata")
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    run(qtbot, dialog, dialog.sign_button)
    assert "Password del file PKCS#12 errata" in dialog.status.text()
    assert verbale.read_bytes() == before
    assert field_texts(dialog)[CHAIR_FIELD] is True


def test_save_as_keeps_the_original_and_refuses_nothing_else(
    qtbot: Any, demo: Path, tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """«Salva come» writes the signed copy beside the original, which stays unsigned."""
    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    dialog = sign_dialog(qtbot, window)
    dialog.save_as.setChecked(True)
    dialog.p12.setText(str(pki.p12))
    qtbot.keyClicks(dialog.password, PASSWORD)
    run(qtbot, dialog, dialog.sign_button)
    signed = tmp_path / "verbale-seduta-1-firmato.pdf"
    assert dialog.pdf.text() == str(signed)
    from valutazione.signing import list_signature_fields

    assert [f.signed for f in list_signature_fields(signed)][0] is True
    assert not any(f.signed for f in list_signature_fields(verbale))


# --- PKCS#11 token (SoftHSM2) -----------------------------------------------------------------------

TOKEN_LABEL = "Firma Fumagalli"
PIN = "246810"


@pytest.fixture(scope="module")
def soft_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SoftToken, Path]]:
    """The chair's key on a SoftHSM2 token; unloaded before and after so each user reads its own config."""
    if tools_missing("softhsm2-util") or not SOFTHSM_MODULE.exists():
        pytest.skip("softhsm2 (softhsm2-util e libsofthsm2.so) serve per il token PKCS#11 di prova")
    import pkcs11

    directory = tmp_path_factory.mktemp("softhsm")
    previous = os.environ.get("SOFTHSM2_CONF")
    conf = init_softhsm_token(directory, TOKEN_LABEL, PIN, "13579111")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    pkcs11.unload(str(SOFTHSM_MODULE))  # SoftHSM reads its config at C_Initialize only: load it afresh
    ca = make_ca(directory)
    signer = issue_signer(ca, directory, CHAIR, "token-signer")
    import_into_token(SOFTHSM_MODULE, TOKEN_LABEL, PIN, signer, "DS0", b"\x02")
    yield SoftToken(SOFTHSM_MODULE, TOKEN_LABEL, PIN, "DS0", conf), ca.pem_path
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
    pkcs11.unload(str(SOFTHSM_MODULE))  # whoever loads it next reads their own config


def test_sign_with_a_pkcs11_token_and_wrong_pin(
    qtbot: Any, demo: Path, tmp_path: Path, soft_token: tuple[SoftToken, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token signs through the dialog (library, label, PIN); a wrong PIN is refused in Italian first."""
    token, ca = soft_token
    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    dialog = sign_dialog(qtbot, window)
    assert str(SOFTHSM_MODULE) in [dialog.library.itemText(i) for i in range(dialog.library.count())]
    click(qtbot, dialog.use_token)
    assert dialog.device.currentIndex() == 1
    dialog.library.setCurrentText(str(token.module))
    qtbot.keyClicks(dialog.token, token.label)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    qtbot.keyClicks(dialog.pin, "000000")
    run(qtbot, dialog, dialog.sign_button)
    assert "PIN errato o token bloccato" in dialog.status.text()
    qtbot.keyClicks(dialog.pin, token.pin)
    run(qtbot, dialog, dialog.sign_button)
    assert "firmato da Laura Fumagalli" in dialog.status.text(), dialog.status.text()
    from valutazione.signing import verify_pdf

    report = verify_pdf(verbale, [ca])[0]
    assert report.field_name == CHAIR_FIELD and report.ok and report.trusted


def test_a_signature_not_chaining_to_the_chosen_ca_is_shown_red(
    qtbot: Any, demo: Path, tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a CA that did not issue the signer, the row is red and the summary says «NON attendibile»."""
    from valutazione.signing import p12_signer, sign_pdf

    window = window_as(qtbot, demo)
    verbale = exported_verbale(qtbot, window, tmp_path, monkeypatch)
    with p12_signer(pki.p12, PASSWORD.encode()) as signer:
        sign_pdf(verbale, verbale, CHAIR_FIELD, signer)
    other = make_ca(tmp_path, "Altra CA")
    window.documents.verify_action.trigger()
    check = window.documents.dialog
    assert isinstance(check, VerifyDialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(other.pem_path)], ""))
    click(qtbot, check.add_ca_button)
    run(qtbot, check, check.verify_button)
    assert check.table.model().index(0, 5).data() == "no"
    assert check.table.model().index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f6dcdc"
    assert "NON attendibile" in check.summary.toPlainText()
    assert "non è valida o attendibile" in check.status.text()
