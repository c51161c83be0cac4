"""An untouched scoring sheet passes no verdict: no red «soglia non raggiunta», «Invia» disabled."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from ui.forms.scheda import KO_STYLE


def test_untouched_sheet_shows_no_failed_threshold(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Before anything is typed thresholds are shown neutral; after a low mark the verdict appears."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 102/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    form = window.evaluation.scheda
    labels = [form.total_label, *form.criterion_labels.values()]
    assert any("soglia" in label.text() for label in labels)  # the call has thresholds to judge
    assert not any("non raggiunta" in label.text() or KO_STYLE in label.styleSheet() for label in labels)
    assert not form.submit_button.isEnabled()
    form.row("A.1").editor.setFocus()
    qtbot.keyClicks(form.row("A.1").editor, "1")
    assert any("non raggiunta" in label.text() for label in labels)
    window.close()
