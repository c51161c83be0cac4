"""The opening verification runs behind a usable window: the status bar says it is running, then what it found."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRunnable, QThreadPool

from tests.ui.helpers import enter_as
from tests.ui.screenshots import shoot
from ui.banners import ERROR
from ui.main_window import MainWindow
from valutazione.demo import build_demo

TAMPER = (
    "UPDATE voto SET value = '1.0' WHERE id = (SELECT min(v.id) FROM voto v JOIN scheda s ON s.id = v.scheda_id "
    "JOIN commissario c ON c.id = s.commissario_id WHERE s.state = 'inviata' AND c.name = 'Nadia Cattaneo' "
    "AND v.value != '1.0')"
)


class _Hold(QRunnable):
    """Occupies the pool's only thread until released, so the verification queued behind it has not ended."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release

    def run(self) -> None:
        self.release.wait(60)


@pytest.fixture
def held_pool() -> Iterator[threading.Event]:
    pool = QThreadPool.globalInstance()
    before = pool.maxThreadCount()
    pool.waitForDone()
    pool.setMaxThreadCount(1)
    release = threading.Event()
    pool.start(_Hold(release))
    try:
        yield release
    finally:
        release.set()
        pool.waitForDone()
        pool.setMaxThreadCount(before)


def _open(qtbot: Any, path: Path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_file(path)
    return window


def test_window_is_usable_while_the_file_is_verified(qtbot: Any, tmp_path: Path, held_pool: threading.Event) -> None:
    """Opening verification in the background: the window answers at once, the status bar says «Verifica in corso…»."""
    path = build_demo(tmp_path / "demo.valutazione")
    window = _open(qtbot, path)
    indicator = window.safety.indicator
    assert window.isVisible() and indicator.isVisible()
    assert indicator.text().startswith("Verifica in corso…")
    assert window.safety.chain_job is not None  # not ended: its thread is still held
    enter_as(qtbot, window, "Laura Fumagalli", declare=False)
    assert window.pages.currentWidget() is not window.identity
    assert window.safety.chain_job is not None
    shoot(qtbot, window, "verifica-in-corso")
    held_pool.set()
    qtbot.waitUntil(lambda: window.safety.chain_job is None, timeout=30000)
    assert indicator.text() == "Registro e sigilli integri"
    shoot(qtbot, window, "verifica-conclusa")
    assert "Registro integro" in indicator.toolTip()
    assert not window.banners.banners(ERROR) and not window.safety.read_only
    window.close()


def test_tampered_file_still_refused_after_the_background_check(
    qtbot: Any, tmp_path: Path, held_pool: threading.Event
) -> None:
    """Opening verification in the background: a tampered sheet still ends in the red banner and read-only."""
    path = build_demo(tmp_path / "demo.valutazione")
    con = sqlite3.connect(path)
    con.execute(TAMPER)
    con.commit()
    con.close()
    window = _open(qtbot, path)
    assert window.safety.indicator.text().startswith("Verifica in corso…")
    assert not window.banners.banners(ERROR)
    held_pool.set()
    qtbot.waitUntil(lambda: bool(window.banners.banners(ERROR)), timeout=30000)
    [banner] = window.banners.banners(ERROR)
    assert "Scheda di Nadia Cattaneo su PG" in banner.text()
    assert "i voti non corrispondono all'impronta dell'invio del" in banner.text()
    assert window.safety.indicator.text() == "Sigillo violato"
    assert "Scheda di Nadia Cattaneo" in window.safety.indicator.toolTip()
    assert window.safety.read_only
    shoot(qtbot, window, "verifica-sigillo-violato")
    window.close()
