"""Texts from the applications' file (applicant, title) are shown as written, never read as markup."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.builders import Builder, domanda
from tests.ui.chair.conftest import Host
from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import enter_as, open_row, open_window
from ui.chair.admissibility import AdmissibilityPanel
from ui.forms.declaration import ConflictPanel

HIDDEN = "Ente <span style='font-size:1pt'>Cooperativa dei cugini Rossi</span> APS"


def laid_out_as_written(label: QLabel) -> bool:
    """Whether ``label`` takes the room its text takes as plain text (markup would shrink or hide parts)."""
    plain = QLabel()
    plain.setTextFormat(Qt.TextFormat.PlainText)
    plain.setWordWrap(label.wordWrap())
    plain.setFont(label.font())
    plain.setText(label.text())
    return plain.sizeHint() == label.sizeHint() and HIDDEN in label.text()


def test_conflict_question_shows_the_applicant_as_written(qtbot: Any) -> None:
    """Conflicts: the member is asked about the applicant as the file names it; a «<span>» in the name cannot
    shrink away the part that would make the member recognise a conflict."""
    panel = ConflictPanel()
    qtbot.addWidget(panel)
    panel.load(None, None, 1, "PG 999/2018", HIDDEN, "Progetto")  # type: ignore[arg-type]
    panel.show()
    assert laid_out_as_written(panel.question)


def test_admissibility_title_shows_the_applicant_as_written(qtbot: Any, imported_host: Host) -> None:
    """Admissibility: the selected application's heading shows the applicant as the file names it."""
    Builder(imported_host.db).domande([domanda("PG 999/2018", applicant=HIDDEN)])
    panel = AdmissibilityPanel(imported_host)
    imported_host.show_panel(panel, "Ammissibilità")
    imported_host.show()
    row = next(i for i, r in enumerate(panel.model.rows) if r.protocol == "PG 999/2018")
    panel.table.selectRow(row)
    assert laid_out_as_written(panel.title)


def test_evaluation_heading_shows_the_applicant_as_written(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Evaluation: the heading a member scores under shows the applicant and title as the file names them."""
    from valutazione.db import open_database

    db = open_database(committee_file.path)
    try:
        Builder(db).domande([domanda("PG 999/2018", applicant=HIDDEN)]).admit_all()
    finally:
        db.close()
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 999/2018")
    assert laid_out_as_written(window.evaluation.heading)
    window.close()
