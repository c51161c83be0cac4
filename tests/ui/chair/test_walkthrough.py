"""The chair's whole path on the sample call, through the real widgets, from the new call to the slide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.ui.chair import scenario
from tests.ui.chair.conftest import SAMPLE, Host, settled
from ui import dialogs
from ui.chair.admissibility import AdmissibilityPanel
from ui.chair.bando_wizard import BandoWizard
from ui.chair.committee import CommitteeTab
from ui.chair.import_wizard import ImportWizard
from ui.chair.ranking import RankingPanel
from ui.user import User
from valutazione.services import scores_csv, sheets


def _click(qtbot: Any, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_sample_call_end_to_end(qtbot: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """New call → committee → import (refusals shown) → admissibility → scores → draw → approvals → slide."""
    wizard = BandoWizard(actor="Laura Fumagalli")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.start.path, str(tmp_path / "mi331e.valutazione"))
    _click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    wizard.editor.budget.setText("300.000,00")
    for _ in range(4):
        _click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    db = wizard.database
    assert db is not None and db.bando().budget_cents == scenario.BUDGET_CENTS
    host = Host(db)
    qtbot.addWidget(host)

    committee = CommitteeTab(host)
    host.show_panel(committee, "Commissione")
    for name, role in scenario.MEMBERS:
        committee.name.setText(name)
        committee.role.setCurrentIndex(committee.role.findData(role))
        _click(qtbot, committee.add_button)
    for row in range(4):
        committee.table.selectRow(row)
        _click(qtbot, committee.declare_button)
    assert all(committee.model.index(r, 3).data() != "non resa" for r in range(4))
    ids = {m.name: m.id for m in committee.model.rows}
    host.user = User(ids["Laura Fumagalli"], "Laura Fumagalli", "presidente")

    extra_domande, extra_scores = scenario.extra_files(tmp_path)
    for csv, expected in ((SAMPLE / "domande-esempio.csv", "Importate 38"), (extra_domande, "Importate 1")):
        importer = ImportWizard(host)
        qtbot.addWidget(importer)
        importer.show()
        importer.file.path.setText(str(csv))
        _click(qtbot, importer.button(QWizard.WizardButton.NextButton))
        _click(qtbot, importer.button(QWizard.WizardButton.NextButton))
        qtbot.waitUntil(lambda w=importer: w.preview.report is not None, timeout=10000)
        if csv.name == "domande-esempio.csv":
            assert "2 rifiutate" in importer.preview.summary.text()
        with qtbot.waitSignal(host.data_changed, timeout=10000):
            _click(qtbot, importer.preview.import_readable)
        assert expected in importer.preview.status.text()

    admissibility = AdmissibilityPanel(host)
    host.show_panel(admissibility, "Ammissibilità")
    _click(qtbot, admissibility.all_button)
    for i, row in enumerate(admissibility.model.rows):
        if row.outcome is None:
            admissibility.table.selectRow(i)
            if row.protocol not in scenario.FLAGGED_EXCLUDED:
                admissibility.outcome.setCurrentIndex(0)
            _click(qtbot, admissibility.decide_button)
    assert all(r.outcome for r in admissibility.model.rows)

    with db.sessions.begin() as s:
        scores_csv.import_scores(s, SAMPLE / "punteggi-esempio.csv", "Laura Fumagalli")
        scores_csv.import_scores(s, extra_scores, "Laura Fumagalli")
        for name, role in scenario.MEMBERS:
            if role != "segretario":
                sheets.submit_all_complete(s, ids[name])
    host.data_changed.emit()

    ranking = RankingPanel(host)
    host.show_panel(ranking, "Graduatoria")
    settled(qtbot, ranking)
    line = ranking.model.row_at(ranking.model.funding_line - 1)
    assert (line.protocol, line.status) == ("PG 113/2018", "finanziata_parzialmente")
    ranking.exec_dialog = lambda dialog: True  # type: ignore[method-assign]
    _click(qtbot, ranking.draw_button)
    assert "Sorteggio registrato" in ranking.status.text()
    settled(qtbot, ranking)
    _click(qtbot, ranking.provisional)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    _click(qtbot, ranking.final)
    assert "(definitiva)" in ranking.status.text()
    ranking.table.selectRow(1)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Rinuncia comunicata via PEC")
    _click(qtbot, ranking.renounce_button)
    settled(qtbot, ranking)
    ranking.reason.setText("Scorrimento per rinuncia")
    _click(qtbot, ranking.slide_button)
    assert "versione 3" in ranking.status.text()
    settled(qtbot, ranking)
    assert ranking.model.row_at(ranking.model.funding_line - 1).protocol == "PG 106/2018"
    assert ranking.versions.rowCount() == 3
    db.close()
