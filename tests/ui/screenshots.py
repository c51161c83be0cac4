"""Screenshots of the screens for a human to review, written outside the repository.

They go to the folder named by the ``VALUTAZIONE_SCREENSHOTS`` environment variable when it is set (to keep
them, e.g. ``VALUTAZIONE_SCREENSHOTS=/tmp/schermate pytest tests/ui``), otherwise to a temporary folder of
the test session that pytest removes in due course: a test run never leaves files in the working tree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

ENV = "VALUTAZIONE_SCREENSHOTS"
SCREEN = (1366, 768)  # the smallest laptop screen a committee member is expected to use
FULL_HD = (1920, 1080)  # the common office monitor: nothing may look lost or stretched on it either
# A 1366×768 laptop at 125 % scaling (Windows' default on many of them) lays widgets out on
# 1366/1.25 × 768/1.25 = 1093×614 device-independent pixels: Qt scales the painting by 1.25 but sizes,
# fonts in points and layouts are computed in those logical pixels. Laying a window out at 1093×614
# at scale 1 therefore gives the same geometry the laptop shows (QT_SCALE_FACTOR=1.25 in a subprocess
# would only also enlarge the rendered pixels, and cost a second Qt start for every check).
SCALED_125 = (1093, 614)
SIZES = {"1366x768": SCREEN, "1920x1080": FULL_HD}

_session_folder: list[Path] = []


def use_session_folder(folder: Path) -> None:
    """Where screenshots go when the environment names no folder (set once per test session)."""
    _session_folder[:] = [folder]


def folder() -> Path:
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        target = Path(chosen).expanduser()
    elif _session_folder:
        target = _session_folder[0]
    else:
        raise RuntimeError("nessuna cartella per le schermate: manca la fixture di sessione")
    target.mkdir(parents=True, exist_ok=True)
    return target


def shoot(
    qtbot: Any | None, widget: QWidget, name: str, *, size: tuple[int, int] | None = None, show: bool = False
) -> Path:
    """Saves ``widget`` as ``name.png``; ``size`` resizes it first (windows at 1366×768, dialogs as they are)."""
    if size is not None:
        widget.resize(*size)
    if show:
        widget.show()
    if qtbot is not None:
        qtbot.wait(50)
    path = folder() / f"{name}.png"
    assert widget.grab().save(str(path)), path
    return path


def shoot_sizes(qtbot: Any | None, widget: QWidget, name: str) -> list[Path]:
    """``name-1366x768.png`` and ``name-1920x1080.png``: the window at both screens a committee uses."""
    paths = [shoot(qtbot, widget, f"{name}-{label}", size=size, show=True) for label, size in SIZES.items()]
    widget.resize(*SCREEN)  # the tests go on at the laptop size
    return paths
