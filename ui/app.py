"""``valutazione-gui [FILE] [--demo] [--smoke]``: the desktop entry point.

``--demo`` opens a demo copy kept in the user's data directory (created on first use), so a member
can try the program without touching a real committee's file. ``--smoke`` builds the window and quits:
the installer's check that the frozen bundle starts at all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

# The database layer (SQLAlchemy and the models, a few hundred modules) before PySide6: once PySide6 is
# imported, shiboken's import hook reads the source of every module imported after it (looking for
# ``from __feature__ import``), about 50 ms of the cold start for SQLAlchemy alone.
import valutazione.db  # noqa: F401

# isort: split
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from ui import crash, dialogs, settings
from ui.main_window import MainWindow
from ui.packages.actions import PACKAGE_SUFFIX
from ui.welcome import app_icon, demo_path
from valutazione.db import Database, open_database
from valutazione.errors import ValutazioneError


def ensure_demo(path: Path | None = None) -> Path:
    """Builds the demo file once; later runs reopen it with whatever the user did there."""
    path = path or demo_path()
    if not path.exists():
        from valutazione.demo import build_demo

        build_demo(path)
    return path


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="valutazione-gui", description="Valutazione delle domande di contributo")
    parser.add_argument("file", nargs="?", type=Path, help="file di valutazione da aprire")
    parser.add_argument("--demo", action="store_true", help="apre una copia dimostrativa (creata se manca)")
    parser.add_argument("--smoke", action="store_true", help="avvia la finestra e chiude subito (verifica)")
    return parser.parse_args(list(argv))


PROBE_CALLS = 8  # empty QVariants returned to Python while measuring; a few references to None at most


def binding_drops_none() -> bool:
    """Whether this PySide6 drops a reference to ``None`` each time an empty QVariant comes back to Python.

    Measured, not looked up by version number: ``QModelIndex().data()`` of an invalid index returns an
    empty QVariant (so ``None``) with QtCore alone. PySide6 6.12 on CPython 3.11 loses one reference per
    call; a fixed binding, or an interpreter where ``None`` is immortal (3.12+, PEP 683), loses none.
    """
    from PySide6.QtCore import QModelIndex

    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        QModelIndex().data()
    return sys.getrefcount(None) < before


def none_guard_needed() -> bool:
    """The guard is for CPython before 3.12 with a PySide6 that drops references to ``None``, and only there.

    When no supported interpreter needs it (``requires-python`` at 3.12 or later, or every PySide6 we allow
    fixed), ``tests/ui/test_none_guard.py`` says so and ``guard_none_refcount`` can be deleted.
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    return binding_drops_none()


def guard_none_refcount() -> bool:
    """Gives ``None``, ``True`` and ``False`` a large head start in their reference counts against the binding.

    Why: PySide6 6.12 on CPython 3.11 drops one reference to ``None`` each time an empty QVariant
    crosses into or out of Python (``QComboBox.addItem(text, None)``/``currentData()``,
    ``setData(role, None)``, ``QModelIndex.data()`` for a role the model answers with ``None``,
    ``QSettings.value()`` of a missing key). A long session — or opening a 5,000-application file,
    whose chair screens did it thousands of times — drove the count to zero and the interpreter aborted
    with "deallocating None" (SIGABRT). ``None`` is never freed anyway; a head start of 2**40 keeps the
    binding's stray decrements harmless. On CPython 3.12+ ``None`` is immortal (PEP 683) and a fixed
    binding drops nothing: there the interpreter's object header is left alone. Returns whether it acted.
    """
    if getattr(guard_none_refcount, "done", False) or not none_guard_needed():
        return False
    import ctypes

    # True and False suffer the same stray decrements (a run of window tests aborted at exit with
    # "bool_dealloc: deallocating True or False"); like None they are immortal from 3.12 on.
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40  # ob_refcnt: first field of PyObject
    guard_none_refcount.done = True  # type: ignore[attr-defined]
    return True


def make_application(argv: Sequence[str]) -> QApplication:
    guard_none_refcount()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv))
    if not QCoreApplication.organizationName():  # tests set their own, isolated one first
        QCoreApplication.setOrganizationName(settings.ORGANIZATION)
        QCoreApplication.setApplicationName(settings.APPLICATION)
    app.setWindowIcon(app_icon())
    QLocale.setDefault(QLocale(QLocale.Language.Italian, QLocale.Country.Italy))
    translator = QTranslator(app)
    if translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv if argv is None else [sys.argv[0], *argv]
    args = parse_args(argv[1:])
    app = make_application(argv)
    crash.install()  # from here on an unexpected error is a message and a log entry, never a traceback
    db: Database | None = None
    package = args.file if args.file is not None and args.file.suffix.lower() == PACKAGE_SUFFIX else None
    try:
        if args.demo:
            db = open_database(ensure_demo())
    except ValutazioneError as exc:
        dialogs.error(None, QCoreApplication.translate("app", "Apertura del file"), str(exc))
    window = MainWindow(db)
    if args.file is not None and package is None and not args.demo:
        window.open_file(args.file)  # the safe way: damaged → backup offered, held elsewhere → read-only banner
    if package is not None:  # `valutazione-gui file.valpkg`, as the file manager opens a package
        window.packages.open_package(package)
    if settings.app_settings().contains("window/geometry"):
        window.show()  # where and as large as the user left it
    else:
        window.showMaximized()  # the first time: the whole screen, a 1366×768 laptop has no pixel to spare
    if args.smoke:
        return smoke(app, window, demo_copy=args.file is None and not args.demo)
    return app.exec()


def smoke(app: QApplication, window: MainWindow, *, demo_copy: bool) -> int:
    """``--smoke``: the installers' check that the (frozen) program really works, quitting on its own.

    With no file given it builds a throw-away copy of the demo call in a temporary folder (the user's
    demo and files are not touched), enters as its chair and loads the ranking; any failure there is
    printed and makes the exit status 1. With a file it only shows the window, as before.
    """
    import tempfile
    import time
    import traceback

    started = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="valutazione-smoke-") if demo_copy and window.db is None else None
    failed = False
    try:
        if tmp is not None:
            from ui.user import User
            from valutazione.services import committee

            copy = Path(tmp.name) / demo_path().name
            window.set_database(open_database(ensure_demo(copy)))
            assert window.db is not None
            with window.db.sessions() as s:
                chair = next(m for m in committee.list_members(s) if m.role == committee.PRESIDENTE)
            window.set_user(User(chair.id, chair.name, chair.role))
            rows = _show_ranking(window)
            if rows == 0:
                raise RuntimeError("graduatoria vuota")
            settings.app_settings().remove(f"identity/{settings._key(copy)}")
            if sys.stdout is not None:  # None in a windowed Windows build
                print(f"smoke: graduatoria di {rows} domande in {time.perf_counter() - started:.2f} s", flush=True)
    except Exception:
        failed = True
        if sys.stderr is not None:
            traceback.print_exc()
    QTimer.singleShot(200, window.close)
    status = app.exec()
    if tmp is not None:
        tmp.cleanup()
    return status or int(failed)


def _show_ranking(window: MainWindow) -> int:
    """Makes the ranking tab current (building it, if tabs build on first show); returns its row count
    once computed (waiting, up to two minutes, while the panel is ``busy`` computing it in a worker)."""
    import time

    from PySide6.QtCore import QEventLoop

    from ui.chair import LazyTab
    from ui.chair.ranking import RankingPanel

    tabs = [w for w in (window.tabs.widget(i) for i in range(window.tabs.count())) if w is not None]
    tabs.sort(key=lambda w: getattr(w, "factory", None) is not RankingPanel)  # a lazy tab building it first
    for tab in tabs:
        window.tabs.setCurrentWidget(tab)
        if isinstance(tab, LazyTab):
            tab.activate()
        panel = tab if isinstance(tab, RankingPanel) else tab.findChild(RankingPanel)
        if panel is not None:
            deadline = time.monotonic() + 120
            while panel.model.rowCount() == 0 and getattr(panel, "busy", False) and time.monotonic() < deadline:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
                time.sleep(0.01)
            return panel.model.rowCount()
    raise RuntimeError("nessuna scheda Graduatoria")


if __name__ == "__main__":
    sys.exit(main())
