"""The cold start pays only for what the first screen shows: heavy libraries wait for their menu.

ReportLab (PDFs), pyHanko (signatures), openpyxl (spreadsheets), psycopg (the committee server) and
Alembic (migrations) together were a third of the window's start on a 5,000-application file; each is
imported inside the function that needs it. A fresh interpreter opens a file, enters as the chair and
reports which of them are in ``sys.modules``: the test runs in a subprocess because this process has
imported them all already for other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests import builders
from tests.builders import State
from valutazione.db import open_database
from valutazione.services import identity

ROOT = Path(__file__).resolve().parents[2]
LAZY = ("reportlab", "pyhanko", "openpyxl", "psycopg", "alembic", "keyring", "pypdf")
PASSWORD = "avvio-2026"

CHILD = """
import json, sys, tempfile
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
QCoreApplication.setOrganizationName("valutazione-test-startup")
from ui.main_window import MainWindow
from valutazione.db import open_database

window = MainWindow(open_database(sys.argv[1]))
window.show()
page = window.identity
page.select("Anna Rossi")
page.enter_button.click()
page.password.setText(sys.argv[2])
page.password_button.click()
app.processEvents()
shown = window.domande.proxy.rowCount() if window.domande is not None else -1
lazy = sys.argv[3].split(",")
found = sorted(m for m in sys.modules if m.split(".")[0] in lazy)
print(json.dumps({"rows": shown, "page": type(window.pages.currentWidget()).__name__, "found": found}))
window.close()
"""


def _open_in_child(path: Path) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), PASSWORD, ",".join(LAZY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_opening_the_window_imports_no_pdf_signature_spreadsheet_or_server_library(tmp_path: Path) -> None:
    """Cold start: entering a file as the chair, table shown, imports none of the heavy libraries."""
    made = builders.committee_file(tmp_path / "avvio.valutazione", State.DEFINITIVE)
    db = open_database(made.path)
    try:
        with db.sessions.begin() as s:
            identity.set_password(s, made.members["Anna Rossi"], PASSWORD)
    finally:
        db.close()
    result = _open_in_child(made.path)
    assert result["page"] == "QTabWidget" and result["rows"] > 0, result
    assert result["found"] == [], f"imported at start-up: {result['found']}"
