"""Start-up and safe opening: lazy chair tabs, read-only and audit banners, restore from backup."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import enter_as, open_window
from tests.ui.screenshots import SCREEN, shoot
from ui import banners, dialogs
from ui.banners import ERROR, WARNING
from ui.chair import LazyTab
from ui.chair.ranking import RankingPanel
from ui.main_window import MainWindow
from valutazione.backups import list_backups, take_backup

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from valutazione.db import open_database
db = open_database(sys.argv[1])
print("aperto", flush=True)
time.sleep(60)
"""


def chair_tab(window: MainWindow, title: str) -> LazyTab:
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)
    tab = window.tabs.widget(index)
    assert isinstance(tab, LazyTab)
    return tab


def empty_window(qtbot: Any) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def test_chair_tabs_load_only_when_shown(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chair tab reads the file only the first time it is shown; data_changed refreshes only the visible one."""
    from ui.chair.committee import CommitteeTab

    reads: list[int] = []
    original = CommitteeTab.refresh

    def counted(self: CommitteeTab) -> None:
        reads.append(1)
        original(self)

    monkeypatch.setattr(CommitteeTab, "refresh", counted)  # the screen's own connection must be replaced
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Anna Rossi")
    titles = ["Bando", "Commissione", "Ammissibilità", "Avanzamento", "Graduatoria", "Sedute", "Progetti finanziati"]
    tabs = [chair_tab(window, t) for t in titles]
    assert all(t.panel is None and t.loads == 0 for t in tabs)  # the start-up built none of them

    committee, sessions = chair_tab(window, "Commissione"), chair_tab(window, "Sedute")
    window.tabs.setCurrentWidget(committee)
    assert committee.panel is not None and committee.loads == 1
    assert all(t.panel is None for t in tabs if t is not committee)
    window.tabs.setCurrentWidget(sessions)
    assert sessions.loads == 1

    window.data_changed.emit()  # a write elsewhere: Sedute is visible, Commissione is not
    assert sessions.loads == 2 and not sessions.stale
    assert committee.loads == 1 and committee.stale and len(reads) == 1  # hidden: not read again
    window.tabs.setCurrentWidget(committee)  # coming back refreshes it once
    assert committee.loads == 2 and not committee.stale and len(reads) == 2
    window.close()
    assert all(t.panel is None for t in tabs if t not in (committee, sessions))  # closing built nothing


def test_ranking_is_computed_in_a_worker(qtbot: Any, committee_file: CommitteeFile) -> None:
    """The ranking tab says "Calcolo della graduatoria…" while a worker computes it, then fills its table."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Anna Rossi")
    tab = chair_tab(window, "Graduatoria")
    window.tabs.setCurrentWidget(tab)
    panel = tab.panel
    assert isinstance(panel, RankingPanel)
    assert panel.busy and panel.table_stack.currentWidget() is panel.placeholder
    assert panel.placeholder.text() == "Calcolo della graduatoria…"
    with qtbot.waitSignal(panel.loaded, timeout=15000):
        pass
    assert not panel.busy and panel.table_stack.currentWidget() is panel.view
    assert panel.model.rowCount() == window.domande.model.rowCount() > 0
    window.close()


def test_read_only_banner_when_another_copy_holds_the_file(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A file open for writing in another process opens read-only, says why in yellow, and disables writing."""
    first = open_window(qtbot, committee_file.path)
    enter_as(qtbot, first, "Anna Rossi")  # signs the general declaration while writing is possible
    first.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(committee_file.path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "aperto"
        window = empty_window(qtbot)
        assert window.open_file(committee_file.path)
        assert window.db is not None and window.db.read_only
        [banner] = window.banners.banners(WARNING)
        assert banner.isVisible() and "sola lettura" in banner.text() and "già aperto in scrittura" in banner.text()
        assert not window.safety.restore_action.isEnabled()
        enter_as(qtbot, window, "Anna Rossi")
        assert window.chair_actions and not any(a.isEnabled() for a in window.chair_actions)
        assert window.evaluation is not None and not window.evaluation.conflict.isEnabled()
        ranking = chair_tab(window, "Graduatoria")
        window.tabs.setCurrentWidget(ranking)
        assert isinstance(ranking.panel, RankingPanel)
        assert not ranking.panel.provisional.isEnabled() and not ranking.panel.slide_button.isEnabled()
        window.tabs.setCurrentIndex(0)
        shoot(qtbot, window, "banner-sola-lettura", size=SCREEN)
        window.close()
        assert not window.banners.isVisible()
    finally:
        holder.kill()
        holder.wait()


def test_damaged_file_is_restored_from_the_newest_backup(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged file is offered its newest good backup: restored, opened, and the damaged file kept aside."""
    path = committee_file.path
    take_backup(path, "apertura")
    with path.open("r+b") as fh:
        fh.write(b"rovinato" * 16)  # the SQLite header is gone
    asked: list[str] = []
    told: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: told.append(text))
    window = empty_window(qtbot)
    assert window.open_file(path)
    assert asked and "è danneggiato" in asked[0] and "copia integra" in asked[0]
    assert window.db is not None and not window.db.read_only
    assert window.pages.currentWidget() is window.identity  # the restored file is usable
    aside = next(path.parent.glob("commissione.sostituito-*.valutazione"))
    assert told and str(aside) in told[0]
    assert aside.read_bytes().startswith(b"rovinato")
    window.close()


def test_restore_from_the_file_menu(qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch) -> None:
    """File → Ripristina da backup… lists the backups, restores the chosen one once confirmed, keeps the old file."""
    window = empty_window(qtbot)
    assert window.open_file(committee_file.path)  # opening takes the first backup
    offered: list[list[str]] = []

    def choose(_parent: Any, found: list[Any]) -> Any:
        offered.append([b.label for b in found])
        return found[0]

    monkeypatch.setattr(banners, "choose_backup", choose)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    told: list[str] = []
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: told.append(text))
    assert window.safety.restore_action.isEnabled()
    window.safety.restore_action.trigger()
    assert offered and offered[0][0].endswith("apertura")
    assert window.db is not None and window.pages.currentWidget() is window.identity
    assert told and "conservato come" in told[0] and "sostituito" in told[0]
    assert list(committee_file.path.parent.glob("commissione.sostituito-*.valutazione"))
    window.close()


def test_tampered_audit_chain_shows_a_red_banner(qtbot: Any, committee_file: CommitteeFile) -> None:
    """An edited audit row is named in a red banner at opening; the file still opens, read-only."""
    con = sqlite3.connect(committee_file.path)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("DROP TRIGGER audit_no_delete")
    con.execute("UPDATE audit SET actor = 'altro' WHERE id = 2")
    con.commit()
    con.close()
    window = empty_window(qtbot)
    assert window.open_file(committee_file.path)
    qtbot.waitUntil(lambda: bool(window.banners.banners(ERROR)), timeout=10000)
    [banner] = window.banners.banners(ERROR)
    assert "n. 2" in banner.text() and "riga 2 del registro è stata modificata" in banner.text()
    assert window.db is not None and window.safety.read_only  # a broken seal: every write refused
    enter_as(qtbot, window, "Anna Rossi", declare=False)  # signing the declaration would be a write
    shoot(qtbot, window, "banner-registro-compromesso", size=SCREEN)
    window.close()


def test_intact_audit_chain_shows_no_banner(qtbot: Any, committee_file: CommitteeFile) -> None:
    """An intact file opens without any banner once its audit chain is verified."""
    window = empty_window(qtbot)
    assert window.open_file(committee_file.path)
    qtbot.waitUntil(lambda: window.safety.chain is not None, timeout=10000)
    assert window.safety.chain.ok and not window.banners.banners() and not window.banners.isVisible()
    window.close()
    assert list_backups(committee_file.path)[0].reason == "apertura"


def test_alt_number_jumps_to_the_tab(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Alt+1 … Alt+9 move between the chair's screens from the keyboard."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Anna Rossi")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 2
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 0
