"""Background work steps aside while the window builds the page the user is about to see (ui.workers.PaintGate)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from tests.ui.helpers import enter_as
from ui import workers
from ui.main_window import MainWindow
from valutazione.demo import build_demo


def _page(qtbot: Any) -> tuple[QWidget, QLabel]:
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel("pagina")
    QVBoxLayout(window).addWidget(label)
    window.resize(400, 300)
    return window, label


def _paced_in_thread(gate: workers.PaintGate) -> tuple[threading.Thread, threading.Event]:
    """A paced task that reports one step; ``stepped`` is set once it got past the gate."""
    stepped = threading.Event()

    def task(_session: Any, progress: Any, _cancelled: Any) -> None:
        progress(1, 1)
        stepped.set()

    runner = gate.paced(task)
    thread = threading.Thread(target=runner, args=(None, lambda _d, _t: None, lambda: False))
    return thread, stepped


def test_a_paced_task_waits_for_the_page_to_be_painted(qtbot: Any) -> None:
    """While a page is being built the paced task does not step; the page's paint lets it go on."""
    window, label = _page(qtbot)
    window.show()
    qtbot.waitExposed(window)
    gate = workers.PaintGate(window)
    gate.hold(label)
    thread, stepped = _paced_in_thread(gate)
    thread.start()
    assert not stepped.wait(0.2)  # held: no paint yet (the event loop has not run)
    label.update()
    qtbot.waitUntil(lambda: not gate.holding, timeout=5000)
    thread.join(5)
    assert stepped.is_set()


def test_a_hidden_window_holds_nothing(qtbot: Any) -> None:
    """No paint will come for a hidden window: the task is not held at all."""
    _window, label = _page(qtbot)
    gate = workers.PaintGate()
    gate.hold(label)
    assert not gate.holding


def test_the_hold_ends_by_itself_without_an_event_loop(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A task is never held past HOLD_MAX_MS, even when the GUI thread runs no event loop to release it."""
    monkeypatch.setattr(workers, "HOLD_MAX_MS", 50)
    window, label = _page(qtbot)
    window.show()
    gate = workers.PaintGate(window)
    gate.hold(label)
    thread, stepped = _paced_in_thread(gate)
    thread.start()
    thread.join(10)  # no qtbot.wait: nothing here paints the page or fires the fallback timer
    assert stepped.is_set() and gate.holding


def test_a_window_destroyed_while_holding_lets_the_task_go_on(qtbot: Any) -> None:
    """Closing the window while a page is held releases its task at once, and no late release fails."""
    window = QWidget()
    label = QLabel("pagina", window)
    window.show()
    qtbot.waitExposed(window)
    gate = workers.PaintGate(window)
    pause = gate.pause
    gate.hold(label)
    label.update()
    shiboken6.delete(window)  # the gate, its child, goes with it
    qtbot.wait(50)  # a release queued by the paint filter, if any, must not touch the deleted gate
    assert pause.open.is_set()


def test_entering_holds_the_verification_until_the_home_page_is_painted(qtbot: Any, tmp_path: Path) -> None:
    """Entering holds the opening verification while the screens are built; the first paint releases it."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_file(build_demo(tmp_path / "demo.valutazione"))
    enter_as(qtbot, window, "Laura Fumagalli", declare=False)  # keys are sent at once: no paint yet
    assert window.pages.currentWidget() is window.tabs and window.safety.gate.holding
    qtbot.waitUntil(lambda: not window.safety.gate.holding, timeout=5000)
    qtbot.waitUntil(lambda: window.safety.chain_job is None, timeout=60000)
    assert window.safety.indicator.text() == "Registro e sigilli integri"
