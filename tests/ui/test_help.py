"""Aiuto → Guida (F1) opens the guide at the section of the screen on view."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from ui.help import SECTIONS, HelpDialog, screen_of, section


def test_f1_section_follows_the_screen(qtbot: Any, committee_file: CommitteeFile) -> None:
    """On the scoring form the guide opens on the rule book's § 4; on who-am-I on the role guide."""
    window = open_window(qtbot, committee_file.path)
    assert screen_of(window) == "identity"
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 102/2018")
    assert screen_of(window) == "conflict"
    click(qtbot, window.evaluation.conflict.none_button)
    assert screen_of(window) == "scheda"
    dialog = HelpDialog(window, screen_of(window))
    qtbot.addWidget(dialog)
    assert "Valutazione di merito" in dialog.browser.toPlainText()
    window.close()


def test_every_mapped_section_exists() -> None:
    """Each screen's heading is found in the shipped guide (a renamed heading would fall back silently)."""
    for file, heading in SECTIONS.values():
        text = section(file, heading)
        assert text.startswith(heading.lstrip()), (file, heading)
