"""What the window's parts may ask of it: two small typed hosts instead of casting a parent to MainWindow.

``Host`` is the main window as its menus and pages see it (the welcome page, the package and document
menus, the file-safety banners): the open file and its user, both possibly absent, and the few things
they may ask the window to do. ``Desk`` is what a chair's or secretary's screen needs once a file is
open and someone has entered it: the file, the user and the signal to emit after a write; the window
builds one (``ChairDesk``) when it adds those screens, so a screen never sees a file that is not open.

A part keeps its host through ``HostRef`` (a weak reference): the window owns its parts through Qt's
parent links, and a strong Python reference back from each part would make a cycle that outlives it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from ui.user import User
from valutazione.db import Database


class Host(Protocol):
    """The main window as its parts see it."""

    @property
    def db(self) -> Database | None: ...

    @property
    def user(self) -> User | None: ...

    @property
    def data_changed(self) -> SignalInstance: ...

    def dialog_parent(self) -> QWidget:
        """The widget a part's dialogs are centred on and owned by."""
        ...

    def open_file(self, path: Path) -> bool: ...

    def set_database(self, db: Database, read_only_reason: str | None = None) -> None: ...

    def close_file(self) -> None: ...

    def flush(self) -> None:
        """Saves what the member is typing (before it leaves in a return, or the file closes)."""
        ...

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """A transient line in the status bar (0: until replaced); an empty text clears it."""
        ...


class HostRef:
    """A weak link from a part to its host; the host outlives its parts, so a dead link is a bug."""

    def __init__(self, host: Host) -> None:
        self._ref: Callable[[], Host | None] = weakref.ref(host)

    def __call__(self) -> Host:
        host = self._ref()
        if host is None:
            raise RuntimeError("the window of this part no longer exists")
        return host


class Desk(Protocol):
    """What a chair's or secretary's screen needs: the open file, who acts, the signal after a write."""

    @property
    def db(self) -> Database: ...

    @property
    def user(self) -> User: ...

    @property
    def data_changed(self) -> SignalInstance: ...

    def window(self) -> QWidget:
        """The widget the screen's dialogs belong to."""
        ...

    def open_database(self, db: Database) -> None:
        """Makes a file the window's open file (the new-call wizard creates one)."""
        ...


@dataclass(frozen=True)
class ChairDesk:
    """The ``Desk`` the main window hands to the chair's screens while a file is open and entered."""

    db: Database
    user: User
    data_changed: SignalInstance
    owner: QWidget
    opener: Callable[[Database], None]

    def window(self) -> QWidget:
        return self.owner

    def open_database(self, db: Database) -> None:
        self.opener(db)
