"""A file whose seal is broken opens read-only in the GUI, with a red banner naming the object."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import enter_as
from ui.banners import ERROR
from ui.main_window import MainWindow
from valutazione.demo import build_demo
from valutazione.seals import BrokenSealError
from valutazione.services import sedute


def test_broken_sheet_seal_opens_read_only_with_red_banner(qtbot: Any, tmp_path: Path) -> None:
    """A submitted mark edited with sqlite3: red banner naming the sheet, writing actions off, writes refused."""
    path = build_demo(tmp_path / "demo.valutazione")
    con = sqlite3.connect(path)
    con.execute(
        "UPDATE voto SET value = '1.0' WHERE id = (SELECT min(v.id) FROM voto v JOIN scheda s ON s.id = v.scheda_id "
        "JOIN commissario c ON c.id = s.commissario_id WHERE s.state = 'inviata' AND c.name = 'Nadia Cattaneo' "
        "AND v.value != '1.0')"
    )
    con.commit()
    con.close()
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    assert window.open_file(path)
    qtbot.waitUntil(lambda: bool(window.banners.banners(ERROR)), timeout=20000)
    [banner] = window.banners.banners(ERROR)
    assert "Scheda di Nadia Cattaneo su PG" in banner.text()
    assert "i voti non corrispondono all'impronta dell'invio del" in banner.text()
    assert "sola lettura" in banner.text() and "Ripristina da backup" in banner.text()
    assert window.safety.read_only and window.safety.restore_action.isEnabled()
    assert window.db is not None
    with pytest.raises(BrokenSealError, match="Scheda di Nadia Cattaneo"), window.db.sessions.begin() as s:
        sedute.add_note(s, 1, "nota", "Laura Fumagalli")
    enter_as(qtbot, window, "Laura Fumagalli")
    shots = Path(os.environ.get("VALUTAZIONE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)
    assert window.grab().save(str(shots / "sigillo-violato.png"))
    window.close()
