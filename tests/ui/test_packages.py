"""Offline evaluation through the GUI: the chair's packages out, the member's work, the signed return in."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import func, select

from tests.builders import open_confirmed
from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import shoot
from tests.valutazione.sync.helpers import other_key, resigned
from tests.valutazione.sync.test_hostile_returns import forged
from ui import app, dialogs, settings
from ui.main_window import MainWindow
from ui.packages.chair import ImportDialog, PrepareDialog
from valutazione.db import opened
from valutazione.models import AuditRow, Commissario, Pacchetto, Scheda
from valutazione.services import committee, lookup
from valutazione.sync.keys import load_or_create_key
from valutazione.sync.package import export_package, extracted_path
from valutazione.sync.returns import PAYLOAD, SIGNATURE, make_return

MEMBER = "Bruno Bianchi"
MARKS = {"A.1": "08", "A.2": "7", "A.3": "09", "B.1": "08", "B.2": "06", "B.3": "1", "C.1": "07", "C.2": "05"}


def member_package(master: Path, folder: Path, name: str = MEMBER) -> Path:
    """The chair's file after the member's general declaration, and that member's package (core services)."""
    with opened(master) as db, db.sessions.begin() as s:
        m = lookup.member_by_name(s, name)
        if committee.declaration(s, m.id) is None:
            committee.declare_general(s, m.id)
        return export_package(s, name, folder / "bruno-bianchi-pacchetto-1.valpkg").path


def chair_window(qtbot: Any, master: Path) -> MainWindow:
    window = open_window(qtbot, master)
    enter_as(qtbot, window, "Anna Rossi")
    return window


def import_returns(qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, *paths: Path) -> ImportDialog:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(p) for p in paths], ""))
    window.packages.import_action.trigger()
    dialog = window.packages.dialog
    assert isinstance(dialog, ImportDialog)
    qtbot.waitUntil(lambda: dialog.finished_all, timeout=10000)
    return dialog


def test_chair_prepares_one_package_per_scoring_member(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pacchetti → Prepara writes one .valpkg per scoring member (not the secretary), each with its sequence."""
    window = chair_window(qtbot, committee_file.path)
    assert window.packages.chair_menu.menuAction().isVisible()
    assert not window.packages.return_action.isVisible()
    stick = tmp_path / "chiavetta"
    stick.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(stick))
    for expected in (1, 2):
        window.packages.prepare_action.trigger()
        dialog = window.packages.dialog
        assert isinstance(dialog, PrepareDialog)
        assert dialog.chosen() == ["Anna Rossi", "Bruno Bianchi", "Carla Verdi"]
        click(qtbot, dialog.prepare_button)
        if expected == 1:
            assert "Scegliere almeno un commissario e la cartella" in dialog.summary.toPlainText()
            dialog.browse()
            assert dialog.folder.text() == str(stick)
            click(qtbot, dialog.prepare_button)
        summary = dialog.summary.toPlainText()
        assert "3 su 3" in summary
        assert f"pacchetto n. {expected}" in summary
        assert "Dichiarazione generale non ancora resa" in summary  # Bruno and Carla have not declared yet
        shoot(qtbot, dialog, f"packages-prepare-{expected}")
        dialog.accept()
    names = sorted(p.name for p in stick.glob("*.valpkg"))
    assert names == [
        f"{who}-pacchetto-{n}.valpkg" for who in ("anna-rossi", "bruno-bianchi", "carla-verdi") for n in (1, 2)
    ]
    assert not list(stick.glob(".*.tmp"))
    window.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        assert s.scalar(select(func.count(Pacchetto.id))) == 6


def test_a_member_is_left_out_with_the_space_bar(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unticking a member in the list (space bar) prepares packages for the others only."""
    window = chair_window(qtbot, committee_file.path)
    window.packages.prepare_action.trigger()
    dialog = window.packages.dialog
    assert isinstance(dialog, PrepareDialog)
    dialog.members.setFocus()
    dialog.members.setCurrentRow(2)
    qtbot.keyClick(dialog.members, Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.folder, str(tmp_path))
    click(qtbot, dialog.prepare_button)
    assert "2 su 2" in dialog.summary.toPlainText()
    assert not (tmp_path / "carla-verdi-pacchetto-1.valpkg").exists()
    window.close()


def test_member_scores_in_the_package_and_the_chair_merges_the_return(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open package → evaluator mode as its member → keyboard scoring → signed return → chair pins key, merges."""
    package = member_package(committee_file.path, tmp_path)
    member = MainWindow()
    qtbot.addWidget(member)
    member.resize(1366, 768)
    member.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(package), ""))
    compared: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: compared.append(text) or True)
    member.packages.open_action.trigger()
    assert member.user is not None and member.user.name == MEMBER and not member.user.is_chair
    assert member.pages.currentWidget() is member.tabs and member.tabs.count() == 3  # Inizio, Elenco, Valutazione
    assert member.packages.return_action.isVisible()
    assert not member.packages.chair_menu.menuAction().isVisible()
    assert member.db is not None and member.db.path == extracted_path(package)
    from valutazione.sync.keys import fingerprint
    from valutazione.sync.package import read_manifest

    chair_key = fingerprint(read_manifest(package).chair_public_key)
    assert len(compared) == 1 and chair_key in compared[0]  # compared before the key was pinned
    assert f"impronta {chair_key}, confermata" in member.statusBar().currentMessage()
    shoot(qtbot, member, "packages-member-opened")

    open_row(qtbot, member, "PG 101/2018")
    click(qtbot, member.evaluation.conflict.none_button)
    form = member.evaluation.scheda
    for code, digits in (*MARKS.items(), ("C.3", "08")):
        form.row(code).editor.setFocus()
        qtbot.keyClicks(form.row(code).editor, digits)
        form.row(code).motivazione.setFocus()
        qtbot.keyClicks(form.row(code).motivazione, f"Giudizio su {code}, scritto a casa.")
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    click(qtbot, form.submit_button)
    assert form.locked

    ret = tmp_path / "ritorno.valret"
    infos: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(ret.with_suffix("")), ""))
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: infos.append(text))
    offers: list[str] = []
    monkeypatch.setattr(dialogs, "ask_secret", lambda _p, _t, label: offers.append(label) or "")
    member.packages.return_action.trigger()
    assert len(offers) == 1 and "Lasciare vuoto per non proteggerlo" in offers[0]  # empty: a plain return
    fingerprint = load_or_create_key().fingerprint
    assert ret.exists() and infos and "1 inviate" in infos[0] and fingerprint in infos[0]

    member.packages.key_action.trigger()
    key_dialog = member.packages.dialog
    assert key_dialog is not None and key_dialog.label.text() == fingerprint
    click(qtbot, key_dialog.copy_button)
    shoot(qtbot, key_dialog, "packages-my-key")
    assert QGuiApplication.clipboard().text() == fingerprint
    member.close()

    chair = chair_window(qtbot, committee_file.path)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    dialog = import_returns(qtbot, chair, monkeypatch, ret)
    assert asked and fingerprint in asked[0] and MEMBER in asked[0]
    report = dialog.report.toPlainText()
    assert f"Ritorno di {MEMBER} (pacchetto n. 1)" in report
    assert "Ritorni importati: 1 su 1" in dialog.status.text()
    assert dialog.close_button.isEnabled()
    shoot(qtbot, dialog, "packages-import-report")
    chair.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        m = lookup.member_by_name(s, MEMBER)
        assert m.public_key == load_or_create_key().public_hex
        sheet = s.scalars(select(Scheda).where(Scheda.commissario_id == m.id)).one()
        assert sheet.state == "inviata"
        assert {v.sub_code: v.motivazione for v in sheet.voti}["A.1"] == "Giudizio su A.1, scritto a casa."


def tampered(ret: Path, out: Path) -> Path:
    """The same signed return with one motivazione changed after signing."""
    with zipfile.ZipFile(ret) as zf:
        payload, signature = zf.read(PAYLOAD), zf.read(SIGNATURE)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(PAYLOAD, payload.replace(b"Scritto a casa", b"Scritto da altri"))
        zf.writestr(SIGNATURE, signature)
    return out


def returned_work(master: Path, tmp_path: Path) -> Path:
    """A member's return with one draft sheet, made through the core (the GUI path is tested above)."""
    from decimal import Decimal

    from valutazione.services import conflicts, sheets

    package = member_package(master, tmp_path)
    opened_pkg = open_confirmed(package)
    with opened(opened_pkg.path) as db, db.sessions.begin() as s:
        m = lookup.member_by_name(s, MEMBER)
        d = lookup.domanda_by_protocol(s, "PG 101/2018")
        conflicts.declare(s, m.id, d.id, False)
        sheets.save_draft(s, m.id, d.id, {"A.1": sheets.Mark(Decimal("0.8"), "Scritto a casa")})
    return make_return(package, tmp_path / "ritorno.valret").path


def audit_count(master: Path) -> tuple[int, str | None]:
    """How many audit rows the chair's file holds and the member's pinned key (read while the GUI has it open)."""
    with opened(master, read_only=True) as db, db.sessions() as s:
        key = s.scalars(select(Commissario.public_key).where(Commissario.name == MEMBER)).one()
        return s.scalar(select(func.count(AuditRow.id))) or 0, key


def test_tampered_return_is_refused_and_nothing_changes(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A return altered after signing is refused with the core's Italian message; the chair's file is unchanged."""
    bad = tampered(returned_work(committee_file.path, tmp_path), tmp_path / "alterato.valret")
    chair = chair_window(qtbot, committee_file.path)
    before = audit_count(committee_file.path)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    dialog = import_returns(qtbot, chair, monkeypatch, bad)
    report = dialog.report.toPlainText()
    assert "rifiutato" in report and "la firma non è valida" in report
    assert "non è stato modificato" in report
    assert "Ritorni importati: 0 su 1" in dialog.status.text()
    shoot(qtbot, dialog, "packages-import-refused")
    assert audit_count(committee_file.path) == before == (before[0], None)
    chair.close()


def test_unconfirmed_fingerprint_imports_nothing(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the chair does not confirm a first key's fingerprint, the return is skipped and no key is pinned."""
    ret = returned_work(committee_file.path, tmp_path)
    chair = chair_window(qtbot, committee_file.path)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: False)
    dialog = import_returns(qtbot, chair, monkeypatch, ret)
    assert "impronta della chiave non confermata" in dialog.report.toPlainText()
    chair.close()
    assert audit_count(committee_file.path)[1] is None


def test_return_swapped_while_the_fingerprint_is_compared_pins_no_key(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the chair compares the fingerprint with the member, the file on the shared folder is replaced by
    one signed with another key: the merge, which reads the file again, refuses it and pins nothing."""
    ret = returned_work(committee_file.path, tmp_path)
    intruder = load_or_create_key(tmp_path / "chiavi-intruso")
    swapped = forged(ret, tmp_path / "scambiato.valret", intruder, lambda d: d.update(public_key=intruder.public_hex))
    chair = chair_window(qtbot, committee_file.path)
    before = audit_count(committee_file.path)
    shown: list[str] = []

    def compare_then_swap(_parent: Any, _title: str, text: str, **_k: Any) -> bool:
        shown.append(text)
        ret.write_bytes(swapped.read_bytes())  # the chair said yes to what was shown; the file is no longer it
        return True

    monkeypatch.setattr(dialogs, "confirm", compare_then_swap)
    dialog = import_returns(qtbot, chair, monkeypatch, ret)
    report = dialog.report.toPlainText()
    mine = load_or_create_key().fingerprint
    assert shown and mine in shown[0]
    assert f"«{intruder.fingerprint}»" in report and f"«{mine}»" in report and "nessuna chiave registrata" in report
    assert "Ritorni importati: 0 su 1" in dialog.status.text()
    shoot(qtbot, dialog, "packages-import-swapped")
    chair.close()
    assert audit_count(committee_file.path) == before == (before[0], None)


def test_package_on_the_command_line_opens_as_its_member(
    committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`valutazione-gui file.valpkg` extracts the working file and opens it, as File → Apri pacchetto does."""
    package = member_package(committee_file.path, tmp_path)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)  # the chair key's fingerprint, compared
    assert app.main([str(package), "--smoke"]) == 0
    assert str(extracted_path(package).resolve()) in settings.recent_files()


def test_chair_menu_is_hidden_from_members(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Only the chair, in the chair's own file, sees the Pacchetti menu."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, MEMBER)
    assert not window.packages.chair_menu.menuAction().isVisible()
    assert not window.packages.return_action.isVisible()
    window.close()


def test_several_returns_are_merged_in_turn_and_the_key_is_confirmed_once(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Returns are merged one after the other; a member's key is asked once, a repeated return changes nothing."""
    ret = returned_work(committee_file.path, tmp_path)
    chair = chair_window(qtbot, committee_file.path)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    dialog = import_returns(qtbot, chair, monkeypatch, ret, ret)
    assert len(asked) == 1
    report = dialog.report.toPlainText()
    assert f"Ritorno di {MEMBER} (pacchetto n. 1): 2 modifiche" in report, report
    assert "già importato, nessuna modifica" in report
    assert "Ritorni importati: 2 su 2" in dialog.status.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    chair.close()
    assert audit_count(committee_file.path)[1] == load_or_create_key().public_hex


SECRET = "cavallo batteria graffetta"


def prepare_sealed(qtbot: Any, window: MainWindow, folder: Path) -> PrepareDialog:
    """Pacchetti → Prepara with «Proteggi con una password»: a mismatch and a short one first, then the right one."""
    window.packages.prepare_action.trigger()
    dialog = window.packages.dialog
    assert isinstance(dialog, PrepareDialog)
    assert not dialog.secret.isEnabled()
    click(qtbot, dialog.protect)
    assert dialog.protect.isChecked() and dialog.secret.isEnabled()
    qtbot.keyClicks(dialog.folder, str(folder))
    for first, second, expected in (
        (SECRET, SECRET + "!", "non coincidono"),
        ("corta", "corta", "almeno 10 caratteri"),
        (SECRET, SECRET, "protetti da password"),
    ):
        dialog.secret.clear()
        dialog.secret_again.clear()
        qtbot.keyClicks(dialog.secret, first)
        qtbot.keyClicks(dialog.secret_again, second)
        click(qtbot, dialog.prepare_button)
        assert expected in dialog.summary.toPlainText()
        if expected != "protetti da password":
            assert not list(folder.glob("*.valpkg"))
    return dialog


def test_sealed_packages_prepared_opened_returned_and_imported(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prepare with a password → member asked (again after a wrong one) → sealed return → chair imports it."""
    from decimal import Decimal

    from valutazione.services import conflicts, sheets
    from valutazione.sync.sealed import is_sealed

    with opened(committee_file.path) as db, db.sessions.begin() as s:
        committee.declare_general(s, lookup.member_by_name(s, MEMBER).id)
    stick = tmp_path / "chiavetta"
    stick.mkdir()
    chair = chair_window(qtbot, committee_file.path)
    dialog = prepare_sealed(qtbot, chair, stick)
    assert "3 su 3" in dialog.summary.toPlainText() and "altro canale" in dialog.summary.toPlainText()
    shoot(qtbot, dialog, "packages-prepare-sealed")
    dialog.accept()
    package = stick / "bruno-bianchi-pacchetto-1.valpkg"
    assert all(is_sealed(p) for p in stick.glob("*.valpkg")) and package.exists()

    member = MainWindow()
    qtbot.addWidget(member)
    asked: list[str] = []
    answers = iter(["non è questa la password", SECRET])
    monkeypatch.setattr(dialogs, "ask_secret", lambda _p, _t, label: asked.append(label) or next(answers))
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)  # the chair key's fingerprint, compared
    assert member.packages.open_package(package)
    assert len(asked) == 2 and "protetto da una password" in asked[0]
    assert "Password errata o file danneggiato" in asked[1]
    assert member.user is not None and member.user.name == MEMBER
    assert member.db is not None
    with member.db.sessions.begin() as s:
        d = lookup.domanda_by_protocol(s, "PG 101/2018")
        conflicts.declare(s, member.user.id, d.id, False)
        sheets.save_draft(s, member.user.id, d.id, {"A.1": sheets.Mark(Decimal("0.8"), "Scritto a casa")})
    ret = tmp_path / "ritorno.valret"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(ret), ""))
    offers: list[str] = []
    infos: list[str] = []
    monkeypatch.setattr(dialogs, "ask_secret", lambda _p, _t, label: offers.append(label) or "")
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: infos.append(text))
    member.packages.return_action.trigger()
    assert len(offers) == 1 and "stessa" in offers[0]  # the package's passphrase, remembered since opening
    assert is_sealed(ret) and "protetto da password" in infos[0]
    member.close()

    def no_prompt(*_a: Any) -> str:
        raise AssertionError("the passphrase typed at «Prepara» opens the return in the same session")

    monkeypatch.setattr(dialogs, "ask_secret", no_prompt)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    report = import_returns(qtbot, chair, monkeypatch, ret).report.toPlainText()
    assert f"Ritorno di {MEMBER} (pacchetto n. 1)" in report and "✗" not in report
    chair.close()

    later = chair_window(qtbot, committee_file.path)  # another day: the passphrase is asked, cancelling skips
    monkeypatch.setattr(dialogs, "ask_secret", lambda *_a: None)
    assert "password non indicata" in import_returns(qtbot, later, monkeypatch, ret).report.toPlainText()
    monkeypatch.setattr(dialogs, "ask_secret", lambda *_a: SECRET)
    assert "già importato" in import_returns(qtbot, later, monkeypatch, ret).report.toPlainText()
    later.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        m = lookup.member_by_name(s, MEMBER)
        sheet = s.scalars(select(Scheda).where(Scheda.commissario_id == m.id)).one()
        assert {v.sub_code: v.motivazione for v in sheet.voti}["A.1"] == "Scritto a casa"


def test_a_member_pins_no_chair_key_without_comparing_it(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first package is opened only once its chair key's fingerprint is confirmed: declined, nothing is
    extracted or pinned; swapped for a forger's package after the comparison, it is refused naming both."""
    from valutazione.sync.chair_key import pinned_key
    from valutazione.sync.package import read_manifest

    package = member_package(committee_file.path, tmp_path)
    genuine = read_manifest(package)
    member = MainWindow()
    qtbot.addWidget(member)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: False)
    assert not member.packages.open_package(package)
    assert member.db is None and not extracted_path(package).exists() and pinned_key(genuine.file_uuid) is None
    assert "non confermata" in member.statusBar().currentMessage()

    forger = resigned(package, tmp_path / "falso.valpkg", *other_key())  # a colleague's, with his own key
    errors: list[str] = []

    def compare_then_swap(_parent: Any, _title: str, text: str, **_k: Any) -> bool:
        saved = package.read_bytes()
        package.write_bytes(forger.read_bytes())  # the member said yes to what was shown; the file is no longer it
        forger.write_bytes(saved)
        return True

    monkeypatch.setattr(dialogs, "confirm", compare_then_swap)
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: errors.append(text))
    assert not member.packages.open_package(package)
    assert errors and "non con quella confermata" in errors[0] and "nessuna chiave registrata" in errors[0]
    assert member.db is None and not extracted_path(package).exists() and pinned_key(genuine.file_uuid) is None
    member.close()
