"""The GUI side of the window and memory benchmarks, run as a fresh process by ``run.py``.

``gui_child.py window FILE``: QApplication, open FILE, MainWindow, show, press Enter on the identity
page (the chair is preselected), type the chair's password (``BENCH_PASSWORD``, set on the copy by
``run.py``) and wait until the applications table has rows, print ``READY`` (``IDENTITY`` before,
once the identity page is painted, and the process's CPU time after); then
close and do it again in the same process (the warm figure), and print the peak RSS (VmHWM).
``gui_child.py window-open FILE``: the same through ``MainWindow.open_file``, the way ``valutazione-gui FILE``
opens a file (SQLite's structure check, then a backup when the file changed since its last backup, into
a throw-away data folder: so always taken, as after a day's work), then shows the window.
``gui_child.py bare``: the floor, a QMainWindow showing an empty QTableView, measured the same way.
Qt settings go to a throw-away folder so the user's recent files and geometry are not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QMainWindow

BENCH_PASSWORD = "benchmark-presidente"


def vmhwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _isolated_settings() -> None:
    from PySide6.QtCore import QCoreApplication, QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="valbench-qs-"))
    QCoreApplication.setOrganizationName("valutazione-bench")
    QCoreApplication.setApplicationName("valutazione-bench")


def _open_window(
    app: QApplication, path: Path | str, first: bool = False, via_file: bool = False
) -> tuple[object, int]:
    from ui.main_window import MainWindow
    from valutazione.db import open_database

    if via_file:  # as ui.app.main: the file opened (checked, backed up) before the window is shown
        window = MainWindow()
        if not window.open_file(Path(path)):
            raise SystemExit("the file did not open")
    else:
        window = MainWindow(open_database(path))
    window.show()
    if first:  # the first screen painted: who is at the keyboard (run.py records the time of this line)
        app.processEvents()
        print("IDENTITY", flush=True)
    window.identity.enter_button.click()
    if window.identity.password_box.isVisible():  # the chair types their password, as at every entry
        window.identity.password.setText(BENCH_PASSWORD)
        window.identity.password_button.click()
    app.processEvents()
    rows = window.domande.proxy.rowCount() if window.domande is not None else 0
    if rows == 0:
        raise SystemExit("the applications table is empty")
    return window, rows


def _bare(app: QApplication) -> QMainWindow:
    from PySide6.QtWidgets import QMainWindow, QTableView

    window = QMainWindow()
    window.setCentralWidget(QTableView())
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    return window


def main(argv: list[str]) -> int:
    windowed = argv[0] in ("window", "window-open")
    if windowed:  # first, as the installed entry point does (valutazione-gui = ui.app:main)
        if argv[0] == "window-open":
            import atexit
            import shutil

            data = tempfile.mkdtemp(prefix="valbench-data-")  # the backups taken at opening go there
            atexit.register(shutil.rmtree, data, True)
            os.environ["VALUTAZIONE_DATA_DIR"] = data
        from ui.app import make_application
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    _isolated_settings()
    if windowed:
        make_application([sys.argv[0]])
        path: Path | str = argv[1] if argv[1].startswith("postgresql://") else Path(argv[1])
        via_file = argv[0] == "window-open"
        window, rows = _open_window(app, path, first=True, via_file=via_file)
        print("READY", flush=True)
        print(f"cpu={time.process_time():.6f}")  # every thread's, the background verification's too
        print(f"rows={rows}")
        window.close()  # type: ignore[attr-defined]
        app.processEvents()
        t0 = time.perf_counter()
        window, _ = _open_window(app, path, via_file=via_file)
        print(f"warm={time.perf_counter() - t0:.6f}")
        window.close()  # type: ignore[attr-defined]
    else:
        bare = _bare(app)
        print("READY", flush=True)
        bare.close()
        t0 = time.perf_counter()
        bare = _bare(app)
        print(f"warm={time.perf_counter() - t0:.6f}")
        bare.close()
    print(f"vmhwm_kb={vmhwm_kb()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
