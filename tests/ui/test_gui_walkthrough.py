"""GUI only, from an empty program to a definitive ranking and signed minutes, with role passwords.

Every step goes through the real widgets of the main window (menus, tabs, forms, wizards, dialogs);
only the operating system's file dialogs and yes/no questions are answered by the test. Nothing is
done with the command line or by calling a service: the file is read back at the end as evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog, QWizard
from sqlalchemy import select

from tests.builders import SAMPLE
from tests.pki import export_p12, issue_signer, make_ca
from tests.ui.chair.conftest import settled
from tests.ui.helpers import PASSWORD, click, enter_as, open_row
from tests.ui.test_evaluation_flow import COEFFICIENTS
from ui import dialogs
from ui.chair import LazyTab
from ui.chair.admissibility import AdmissibilityPanel
from ui.chair.committee import CommitteeTab
from ui.chair.import_wizard import ImportWizard
from ui.chair.ranking import RankingPanel
from ui.chair.sessions import SessionsPanel
from ui.documents import ExportDialog, SignDialog
from ui.host import ChairDesk
from ui.main_window import MainWindow
from valutazione import signing
from valutazione.db import opened
from valutazione.models import AuditRow, Credenziale, GraduatoriaVersion, Scheda

CHAIR, SECRETARY = "Anna Rossi", "Dario Neri"
SCORERS = (CHAIR, "Bruno Bianchi", "Carla Verdi")
CERT_PASSWORD = b"certificato-di-prova"
CODES = tuple(COEFFICIENTS)


def _tab(qtbot: Any, window: MainWindow, title: str) -> Any:
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)
    window.tabs.setCurrentIndex(index)
    tab = window.tabs.widget(index)
    assert isinstance(tab, LazyTab) and tab.panel is not None
    return tab.panel


def _three_applications(tmp_path: Path) -> Path:
    lines = (SAMPLE).read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "tre-domande.csv"
    path.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    return path


def test_empty_program_to_signed_minutes_through_the_gui(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New call → committee with passwords → import → admissibility → scoring → approvals → minutes signed."""
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)

    def refuse(_parent: Any, _title: str, text: str) -> None:
        raise AssertionError(text)

    monkeypatch.setattr(dialogs, "error", refuse)
    target = tmp_path / "commissione.valutazione"
    monkeypatch.setattr(dialogs, "save_path", lambda *_a, **_k: target)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()

    # File → Nuovo: the creator enters as chair and chooses the chair's password.
    window.new_action.trigger()
    page = window.identity
    qtbot.keyClicks(page.first_name, CHAIR)
    for edit in (page.first_password, page.first_repeat):
        qtbot.keyClicks(edit, PASSWORD)
    click(qtbot, page.first_button)
    assert window.pages.currentWidget() is window.declaration
    window.declaration.agree.setChecked(True)
    click(qtbot, window.declaration.sign_button)
    assert window.user is not None and window.user.is_chair and window.home is not None

    # Commissione: two members and the secretary.
    committee = _tab(qtbot, window, "Commissione")
    assert isinstance(committee, CommitteeTab)
    for name, role in (("Bruno Bianchi", "componente"), ("Carla Verdi", "componente"), (SECRETARY, "segretario")):
        committee.name.setText(name)
        committee.role.setCurrentIndex(committee.role.findData(role))
        click(qtbot, committee.add_button)
    assert committee.model.rowCount() == 4

    # Importa domande: the wizard the toolbar opens, on three applications of the sample.
    assert window.user is not None and window.db is not None
    desk = ChairDesk(window.db, window.user, window.data_changed, window, window.set_database)
    importer = ImportWizard(desk, window)
    qtbot.addWidget(importer)
    importer.show()
    importer.file.path.setText(str(_three_applications(tmp_path)))
    click(qtbot, importer.button(QWizard.WizardButton.NextButton))
    click(qtbot, importer.button(QWizard.WizardButton.NextButton))
    qtbot.waitUntil(lambda: importer.preview.report is not None, timeout=10000)
    with qtbot.waitSignal(window.data_changed, timeout=10000):
        click(qtbot, importer.preview.import_readable)
    assert "Importate 3" in importer.preview.status.text()
    importer.close()

    # Ammissibilità: every application admitted.
    admissibility = _tab(qtbot, window, "Ammissibilità")
    assert isinstance(admissibility, AdmissibilityPanel)
    click(qtbot, admissibility.all_button)
    for i, row in enumerate(admissibility.model.rows):
        if row.outcome is None:
            admissibility.table.selectRow(i)
            admissibility.outcome.setCurrentIndex(0)
            click(qtbot, admissibility.decide_button)
    assert all(r.outcome == "ammissibile" for r in admissibility.model.rows)
    protocols = [r.protocol for r in admissibility.model.rows]

    # The secretary enters (choosing a password) and records the session.
    window.switch_action.trigger()
    enter_as(qtbot, window, SECRETARY)
    assert window.user is not None and window.user.is_secretary
    sessions = _tab(qtbot, window, "Sedute")
    assert isinstance(sessions, SessionsPanel)
    qtbot.keyClicks(sessions.start, "09:30")
    qtbot.keyClicks(sessions.end, "12:45")
    qtbot.keyClicks(sessions.place, "Palazzo Marino")
    sessions.agenda.setPlainText("1. Valutazione delle domande\n2. Approvazione della graduatoria")
    click(qtbot, sessions.record_button)
    assert "Seduta n. 1 registrata" in sessions.status.text()

    # Each scorer enters and fills every sheet through the scoring form.
    for name in SCORERS:
        window.switch_action.trigger()
        enter_as(qtbot, window, name)
        assert window.home is not None and window.home.button("Domande da valutare: 3")
        for protocol in protocols:
            open_row(qtbot, window, protocol)
            evaluation = window.evaluation
            assert evaluation is not None
            click(qtbot, evaluation.conflict.none_button)
            form = evaluation.scheda
            offset = protocols.index(protocol)  # different totals per application: no draw needed
            for code in CODES:
                row = form.row(code)
                row.editor.setCurrentIndex(6 + offset)
                row.motivazione.setFocus()
                qtbot.keyClicks(row.motivazione, f"Giudizio motivato su {code}.")
            assert "completa" in form.missing_label.text()
            click(qtbot, form.submit_button)
            assert "inviata" in form.state_label.text(), form.state_label.text()

    # The chair enters again (password asked), approves the ranking provisional then definitive.
    window.switch_action.trigger()
    enter_as(qtbot, window, CHAIR)
    assert window.home is not None and window.home.button("Schede inviate: 9 su 9 attese").text().startswith("✓")
    ranking = _tab(qtbot, window, "Graduatoria")
    assert isinstance(ranking, RankingPanel)
    settled(qtbot, ranking)
    click(qtbot, ranking.provisional)
    settled(qtbot, ranking)
    click(qtbot, ranking.final)
    assert "(definitiva)" in ranking.status.text(), ranking.status.text()

    # Documenti → Esporta: the minutes of session 1 as PDF.
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda _p, _t, suggested, _f="": (str(tmp_path / Path(suggested).name), "")
    )
    window.documents.export_action.trigger()
    export = window.documents.dialog
    assert isinstance(export, ExportDialog)
    export.select("verbale")
    click(qtbot, export.go_button)
    qtbot.waitUntil(lambda: export.job is None, timeout=30000)
    verbale = window.documents.last_verbale
    assert verbale is not None and verbale.exists()
    text = "\n".join(p.extract_text() for p in PdfReader(verbale).pages)
    assert "Palazzo Marino" in text and CHAIR in text
    export.close()

    # Documenti → Firma digitale: the chair signs the chair's box with the chair's certificate.
    (tmp_path / "pki").mkdir()
    ca = make_ca(tmp_path / "pki")
    p12 = export_p12(issue_signer(ca, tmp_path / "pki", CHAIR, "presidente"), ca, tmp_path / "anna.p12", CERT_PASSWORD)
    window.documents.sign_action.trigger()
    sign = window.documents.dialog
    assert isinstance(sign, SignDialog)
    chair_field = sign.field()
    assert chair_field is not None and chair_field.endswith(CHAIR)
    sign.p12.setText(str(p12))
    qtbot.keyClicks(sign.password, CERT_PASSWORD.decode())
    click(qtbot, sign.sign_button)
    qtbot.waitUntil(lambda: sign.job is None, timeout=30000)
    assert f"firmato da {CHAIR}" in sign.status.text(), sign.status.text()
    assert sign.field() is None
    sign.close()
    window.close()

    # The file and the PDF as evidence.
    signed = {f.name: f.signed for f in signing.list_signature_fields(verbale)}
    assert signed[chair_field] is True
    with opened(target) as db, db.sessions() as s:
        states = list(s.scalars(select(GraduatoriaVersion.state).order_by(GraduatoriaVersion.version)))
        assert states == ["provvisoria", "definitiva"]
        assert sorted(s.scalars(select(Scheda.state))) == ["inviata"] * 9
        assert s.query(Credenziale).count() == 2  # chair and secretary; members did not protect their entry
        actions = list(s.scalars(select(AuditRow.action)))
    assert actions.count("password.impostata") == 2
