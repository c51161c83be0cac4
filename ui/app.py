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

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from ui import dialogs, settings
from ui.main_window import MainWindow
from ui.packages.actions import PACKAGE_SUFFIX
from ui.welcome import app_icon
from valutazione.db import Database, open_database
from valutazione.errors import ValutazioneError
from valutazione.paths import user_data_dir

DEMO_NAME = "demo.valutazione"


def demo_path() -> Path:
    return user_data_dir() / DEMO_NAME


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


def make_application(argv: Sequence[str]) -> QApplication:
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
    db: Database | None = None
    package = args.file if args.file is not None and args.file.suffix.lower() == PACKAGE_SUFFIX else None
    try:
        if args.demo:
            db = open_database(ensure_demo())
        elif args.file is not None and package is None:
            db = open_database(args.file)
    except ValutazioneError as exc:
        dialogs.error(None, QCoreApplication.translate("app", "Apertura del file"), str(exc))
    window = MainWindow(db)
    if package is not None:  # `valutazione-gui file.valpkg`, as the file manager opens a package
        window.packages.open_package(package)
    window.show()
    if args.smoke:
        QTimer.singleShot(200, window.close)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
