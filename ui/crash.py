"""The GUI's top-level error handler: no traceback on the user's screen, ever.

Any exception nobody caught — in a slot, an event handler, a background thread — ends here: its
traceback goes to the error log in the user's data folder (``valutazione.errorlog``) and the user sees
an Italian message (through ``ui.dialogs.error``, which tests monkeypatch) naming that log. What was
committed stays committed: each user action is one transaction, rolled back when it fails.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication

from ui import dialogs
from valutazione import errorlog


def tr(text: str) -> str:
    return QCoreApplication.translate("crash", text)


def unexpected_message(exc: BaseException, log: Path) -> str:
    return tr(
        "Si è verificato un errore imprevisto: l'ultima operazione potrebbe non essere stata completata.\n\n"
        "Le modifiche già salvate restano nel file.\n\n"
        "Dettaglio: {summary}\n\n"
        "Le informazioni tecniche sono state scritte nel registro degli errori:\n{log}\n"
        "Inviatelo a chi vi presta assistenza."
    ).format(summary=errorlog.summary(exc), log=log)


class _Reporter(QObject):
    """Lives in the GUI thread: a thread's error reaches the message box through a queued signal."""

    report = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.showing = False
        self.report.connect(self.show)

    def show(self, text: str) -> None:
        if self.showing:  # an error while the box is open (nested event loop): logged, not stacked
            return
        self.showing = True
        try:
            dialogs.error(QApplication.activeWindow(), tr("Errore imprevisto"), text)
        finally:
            self.showing = False


_reporter: list[_Reporter] = []


def report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, *, where: str) -> None:
    """Logs the error and shows the message (queued to the GUI thread when called from another thread)."""
    log = errorlog.record(exc_type, exc, tb, where=where)
    if not _reporter:
        return
    reporter = _reporter[0]
    if threading.current_thread() is threading.main_thread():
        reporter.show(unexpected_message(exc, log))
    else:
        reporter.report.emit(unexpected_message(exc, log))


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    main = threading.current_thread() is threading.main_thread()
    report(exc_type, exc, tb, where="finestra" if main else "attività in background")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    report(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread {name}")


def install() -> None:
    """Makes this module the handler of every uncaught exception; call once the QApplication exists."""
    if not _reporter:
        _reporter.append(_Reporter())
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
