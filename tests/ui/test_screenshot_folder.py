"""Screenshots land outside the repository: in $VALUTAZIONE_SCREENSHOTS or in the session's temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from tests.ui import screenshots

ROOT = Path(__file__).resolve().parents[2]


def test_default_folder_is_outside_the_repository(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the environment variable a screenshot goes to a temporary folder, never into the working tree."""
    monkeypatch.delenv(screenshots.ENV, raising=False)
    label = QLabel("Schermata di prova")
    qtbot.addWidget(label)
    path = screenshots.shoot(qtbot, label, "prova-cartella", size=(200, 50))
    assert path.is_file() and path.stat().st_size > 0
    assert not path.resolve().is_relative_to(ROOT)
    assert not (ROOT / "screenshots").exists()


def test_environment_variable_names_the_folder(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """VALUTAZIONE_SCREENSHOTS keeps the screenshots where the reviewer asked, creating the folder."""
    target = tmp_path / "schermate" / "revisione"
    monkeypatch.setenv(screenshots.ENV, str(target))
    label = QLabel("Schermata di prova")
    qtbot.addWidget(label)
    path = screenshots.shoot(qtbot, label, "prova-variabile")
    assert path == target / "prova-variabile.png" and path.is_file()
