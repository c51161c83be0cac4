"""The one place that knows QThreadPool/QRunnable: long core work off the GUI thread.

A core function takes a Session and two callbacks, ``progress(done, total)`` and ``cancelled() -> bool``
(the Orange pattern). The worker opens its own Session — one transaction, committed only when the
function returns — and reports back through Qt signals, so no widget is ever touched from the worker.
The progress dialog appears only past half a second, so quick jobs do not flash a window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.crash import unexpected_message
from valutazione import errorlog
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import Session

SHOW_AFTER_MS = 500


# A core function run in the worker: ``task(session, progress, cancelled)`` returns what ``finished`` carries.
CoreTask = Callable[[Session, Callable[[int, int], None], Callable[[], bool]], Any]


class Cancelled(Exception):
    """Raised by a core function (or by the worker) when the user pressed Annulla: nothing is saved."""


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, db: Database, task: CoreTask, signals: _Signals, stop: threading.Event) -> None:
        super().__init__()
        self.db, self.task, self.signals, self.stop = db, task, signals, stop

    def run(self) -> None:
        try:
            with self.db.sessions() as session:
                with session.begin():
                    result = self.task(session, self._progress, self.stop.is_set)
                    if self.stop.is_set():
                        raise Cancelled
            self._emit(self.signals.finished, result)
        except Exception as exc:
            # A core function stops on Annulla by raising its own error (the importer's
            # ImportCancelledError is a ValutazioneError): once the user has cancelled, whatever
            # ended the task is a cancellation, not a failure to report. The transaction was rolled back.
            if isinstance(exc, Cancelled) or self.stop.is_set():
                self._emit(self.signals.cancelled)
            elif isinstance(exc, ValutazioneError):
                self._emit(self.signals.failed, str(exc))
            else:  # a defect, not a refusal: the traceback goes to the error log, the user gets its path
                log = errorlog.record(type(exc), exc, exc.__traceback__, where="attività in background")
                self._emit(self.signals.failed, unexpected_message(exc, log))

    def _progress(self, done: int, total: int) -> None:
        self._emit(self.signals.progress, done, total)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        """The window that asked may be gone (file closed, program quitting): then nobody is listening."""
        try:
            signal.emit(*args)
        except RuntimeError:  # "Signal source has been deleted"
            pass


class Job(QObject):
    """A running task: its signals, its Cancel, and the dialog that shows it (none for a quiet job)."""

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None, label: str, *, dialog: bool = True) -> None:
        super().__init__(parent)
        self.stop = threading.Event()
        self.done = False
        self.signals = _Signals()
        # A quiet job is a background read that its screen shows in place (the ranking table says
        # "Calcolo della graduatoria…"): no modal window over the work.
        self.dialog: QProgressDialog | None = None
        self.show_timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        if dialog:
            self.dialog = QProgressDialog(label, QCoreApplication.translate("workers", "Annulla"), 0, 0, parent)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
            # QProgressDialog only times itself from setValue(); a task that reports no progress still
            # deserves its Cancel button, so the dialog is also shown by this timer.
            self.show_timer.timeout.connect(self._show)
            self.show_timer.start()
        self.signals.progress.connect(self._on_progress)
        self.signals.finished.connect(self._on_finished)
        self.signals.failed.connect(self._on_failed)
        self.signals.cancelled.connect(self._on_cancelled)

    def cancel(self) -> None:
        self.stop.set()

    def _show(self) -> None:
        if not self.done and self.dialog is not None:
            self.dialog.show()

    def _on_progress(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total) if total else 0)

    def _close(self) -> None:
        self.done = True
        self.show_timer.stop()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()

    def _on_finished(self, result: object) -> None:
        self._close()
        self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._close()
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._close()
        self.cancelled.emit()


def run_task(
    parent: QWidget | None,
    db: Database,
    label: str,
    task: CoreTask,
    pool: QThreadPool | None = None,
    *,
    dialog: bool = True,
) -> Job:
    """Starts ``task`` in the thread pool; connect to the returned job's ``finished``/``failed``.

    ``dialog=False`` runs it quietly: the caller shows that it is working (and may ``cancel()`` it).
    """
    job = Job(parent, label, dialog=dialog)
    (pool or QThreadPool.globalInstance()).start(_Runnable(db, task, job.signals, job.stop))
    return job


HOLD_MAX_MS = 2000  # the longest a background task waits for a page to be painted (a hidden window never is)


class _Pause:
    """What the worker reads (a plain object: it outlives the window's QObjects if the window goes first)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.until = 0.0  # time.monotonic() past which a task goes on whether the page was painted or not

    def wait(self) -> None:
        """Returns when the page is painted, or ``HOLD_MAX_MS`` after the hold at the latest (even when no
        event loop runs to fire the fallback timer)."""
        remaining = self.until - time.monotonic()
        if remaining > 0:
            self.open.wait(remaining)


class PaintGate(QObject):
    """Lets a background task step aside while the window builds the page the user is about to see.

    Why: a worker's Python competes with the GUI thread for the interpreter lock, so a check running
    behind the window (the opening verification, seconds of Python) slowed the building of the first
    page by a quarter of a second. The task still starts at once and runs while nothing is being built
    (the identity page waiting for a password); it pauses between two of its steps from ``hold(page)``
    until ``page`` (or a widget in it) has been painted, never longer than ``HOLD_MAX_MS``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pause = _Pause()
        self.page: QWidget | None = None
        self.fallback = QTimer(self, singleShot=True, interval=HOLD_MAX_MS)
        self.fallback.timeout.connect(self.release)
        pause = self.pause
        self.destroyed.connect(lambda *_: pause.open.set())  # the window went away while a page was held

    @property
    def holding(self) -> bool:
        return not self.pause.open.is_set()

    def hold(self, page: QWidget) -> None:
        """Pauses the paced tasks until ``page`` is painted; nothing to wait for if the window is hidden.

        ``page`` should be a container the new screen is shown in (the window's stack of pages): a widget
        is painted under its children unless they paint every pixel themselves, so its paint event comes
        with the first paint of whatever it shows. Watching that one widget, not the whole application,
        keeps the thousands of events of a screen being built out of Python.
        """
        if not page.window().isVisible():
            return
        if self.page is not None:
            self.page.removeEventFilter(self)
        self.page = page
        page.installEventFilter(self)
        self.pause.until = time.monotonic() + HOLD_MAX_MS / 1000
        self.pause.open.clear()
        self.fallback.start()

    def release(self) -> None:
        self.pause.open.set()  # first: a window destroyed while holding must never keep its task waiting
        if not shiboken6.isValid(self):
            return
        if self.page is not None and shiboken6.isValid(self.page):
            self.page.removeEventFilter(self)
        self.page = None
        self.fallback.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.page and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self.release)  # once this paint is done (dropped if the gate is gone)
        return False

    def paced(self, task: CoreTask) -> CoreTask:
        """``task`` waiting at the gate each time it reports progress or asks whether it was cancelled."""
        pause = self.pause

        def run(session: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            def paced_progress(done: int, total: int) -> None:
                pause.wait()
                progress(done, total)

            def paced_cancelled() -> bool:
                pause.wait()
                return cancelled()

            return task(session, paced_progress, paced_cancelled)

        return run
