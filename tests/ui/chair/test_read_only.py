"""Who gets the chair's screens, and what they allow on a read-only file."""

from __future__ import annotations

from typing import Any

from tests.ui.chair.conftest import Host
from ui.chair import LazyTab
from ui.chair.sessions import SessionsPanel


def test_read_only_disables_writing_buttons_only(qtbot: Any, host: Host) -> None:
    """On a read-only file «Registra seduta» is disabled while «Stampa il verbale…» (reading only) is not."""
    tab = LazyTab(host, SessionsPanel)
    tab.read_only = True
    host.show_panel(tab, "Sedute")
    tab.activate()
    panel = tab.panel
    assert isinstance(panel, SessionsPanel)
    assert not panel.record_button.isEnabled() and not panel.note_button.isEnabled()
    assert "sola lettura" in panel.record_button.toolTip()
    assert panel.print_button.toolTip() == ""


def test_writable_file_leaves_buttons_alone(qtbot: Any, host: Host) -> None:
    """On a writable file the lazy tab disables nothing."""
    tab = LazyTab(host, SessionsPanel)
    host.show_panel(tab, "Sedute")
    tab.activate()
    panel = tab.panel
    assert isinstance(panel, SessionsPanel)
    assert panel.record_button.isEnabled()


def test_member_gets_no_chair_screens(qtbot: Any, host: Host) -> None:
    """A member who is neither chair nor secretary gets no chair screen and no chair action."""
    from ui.chair import chair_actions, chair_tabs
    from ui.user import User

    host.user = User(5, "Bruno Verdi", "componente")
    assert chair_tabs(host) == [] and chair_actions(host) == []
