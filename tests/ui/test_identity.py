"""Who is at the keyboard: role passwords on the entry page, and «Cambia utente» that really logs out."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from tests.builders import CommitteeFile
from tests.ui import screenshots
from tests.ui.helpers import PASSWORD, enter_as, open_window
from valutazione.db import opened
from valutazione.models import AuditRow


def _try(qtbot: Any, window: Any, name: str, password: str) -> None:
    page = window.identity
    page.select(name)
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    assert page.password_box.isVisibleTo(page)
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def test_chair_sets_a_password_at_first_entry_and_must_type_it_after(qtbot: Any, committee_file: CommitteeFile) -> None:
    """First entry as presidente asks for a new password twice; later a wrong one keeps the page shut."""
    window = open_window(qtbot, committee_file.path)
    page = window.identity
    page.select("Anna Rossi")
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    assert window.user is None and page.repeat.isVisibleTo(page)
    assert "impostare una password" in page.password_prompt.text()
    screenshots.shoot(qtbot, window, "identity-first-password", size=screenshots.SCREEN)
    qtbot.keyClicks(page.password, "prima-volta")
    qtbot.keyClicks(page.repeat, "diversa-xx")
    qtbot.mouseClick(page.password_button, Qt.MouseButton.LeftButton)
    assert window.user is None and "non coincidono" in page.password_error.text()
    enter_as(qtbot, window, "Anna Rossi")
    assert window.user is not None and window.user.is_chair

    window.switch_action.trigger()
    _try(qtbot, window, "Anna Rossi", "sbagliata-123")
    assert window.user is None and window.pages.currentWidget() is page
    assert page.password_error.text() == "Password errata per Anna Rossi."
    screenshots.shoot(qtbot, window, "identity-wrong-password", size=screenshots.SCREEN)
    _try(qtbot, window, "Anna Rossi", PASSWORD)
    assert window.user is not None and window.user.name == "Anna Rossi"
    window.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        actions = s.scalars(select(AuditRow.action).where(AuditRow.actor == "Anna Rossi")).all()
    assert "password.impostata" in actions


def test_member_without_password_enters_directly(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A componente who did not protect the entry is not asked for a password."""
    window = open_window(qtbot, committee_file.path)
    window.identity.select("Bruno Bianchi")
    qtbot.mouseClick(window.identity.enter_button, Qt.MouseButton.LeftButton)
    assert window.user is not None and window.user.name == "Bruno Bianchi"
    window.close()


def test_switching_user_logs_the_chair_out_of_menus_status_and_dialogs(
    qtbot: Any, committee_file: CommitteeFile
) -> None:
    """After «Cambia utente» nothing acts as the chair: status bar empty, chair menus gone, dialogs closed."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Anna Rossi")
    assert "Anna Rossi" in window.user_label.text()
    assert window.packages.chair_menu.menuAction().isVisible()
    window.documents.export()
    dialog = window.documents.dialog
    assert dialog is not None and dialog.isVisible()
    separators = sum(a.isSeparator() for a in window.toolbar.actions())

    window.switch_action.trigger()
    assert window.user is None and window.user_label.text() == ""
    assert not dialog.isVisible()
    assert not [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert not window.packages.chair_menu.menuAction().isVisible()
    assert not window.documents.export_action.isEnabled()
    assert window.pages.currentWidget() is window.identity

    enter_as(qtbot, window, "Bruno Bianchi")
    assert window.user is not None and not window.user.is_chair
    assert "Bruno Bianchi" in window.user_label.text()
    assert not window.packages.chair_menu.menuAction().isVisible()
    window.switch_action.trigger()
    enter_as(qtbot, window, "Anna Rossi")
    assert sum(a.isSeparator() for a in window.toolbar.actions()) == separators  # none added per switch
    window.close()
