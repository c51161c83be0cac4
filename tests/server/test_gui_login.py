"""The who-am-I page on a committee server: the member whose login role is connected comes preselected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from tests.server.conftest import Committee
from ui.forms.identity import IdentityPage
from valutazione.db import opened


def _chosen(page: IdentityPage) -> str:
    return str(page.members.currentItem().data(Qt.ItemDataRole.UserRole).name)


def test_identity_page_preselects_the_connected_login(qtbot: Any, fresh_committee: Callable[[], Committee]) -> None:
    """Server login: Bruno's and the secretary's own roles each preselect themselves, not the list's first."""
    c = fresh_committee()
    page = IdentityPage()
    qtbot.addWidget(page)
    for member in ("Bruno Bianchi", "Dario Neri"):
        with opened(c.member_url(member)) as db:
            page.load(db, preselect=c.members["Anna Rossi"])  # the last member on this computer loses
            assert _chosen(page) == member
    with opened(c.url) as db:  # the owner's connection names nobody: the last member chosen stays
        page.load(db, preselect=c.members["Carla Verdi"])
        assert _chosen(page) == "Carla Verdi"
