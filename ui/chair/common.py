"""What every chair/secretary panel shares: the host it lives in, one transaction per action, formatting.

A panel never decides anything: it calls a service inside ``host.db.sessions.begin()`` (its host, a
``ui.host.Desk``) and shows the
service's Italian ``ValutazioneError`` message in its own status line, so the user sees why an action
was refused without a modal box, and tests read the same text the user reads. After a successful write
the host's ``data_changed`` is emitted and every panel refreshes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QWidget,
)

from ui.host import Desk
from valutazione.errors import ValutazioneError
from valutazione.money import format_decimal_it, format_euro
from valutazione.services import Session

ROME = ZoneInfo("Europe/Rome")
T = TypeVar("T")

OK_COLOUR = "#1b5e20"
ERROR_COLOUR = "#b71c1c"
FUNDED_BG = "#d8efd9"
PARTIAL_BG = "#fff1c7"
RESERVE_BG = "#e3ecf7"
NOT_ADMITTED_BG = "#f6dcdc"
EXCLUDED_BG = "#e6e6e6"


# A button that only reads or browses carries this property; on a read-only file every other is disabled.
READS_ONLY = "reads_only"


def reading_button(button: QPushButton) -> QPushButton:
    """Marks a button that writes nothing (print, browse, reorder in a dialog): usable on a read-only file."""
    button.setProperty(READS_ONLY, True)
    return button


def tr(text: str) -> str:
    return QCoreApplication.translate("chair", text)


def actor_name(host: Desk) -> str:
    """The audit's *who*: the name of the member who entered the file."""
    return host.user.name


class StatusLine(QLabel):
    """A one-line feedback under a panel: green for done, red for the service's refusal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("status")

    def ok(self, text: str) -> None:
        self.setStyleSheet(f"color: {OK_COLOUR};")
        self.setText(text)

    def fail(self, text: str) -> None:
        self.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.setText(text)


def run_action(host: Desk, status: StatusLine, action: Callable[[Session], T], done: str = "") -> T | None:
    """One user action = one transaction; a refusal is shown, a success refreshes every panel."""
    try:
        with host.db.sessions.begin() as s:
            result = action(s)
    except ValutazioneError as exc:
        status.fail(str(exc))
        return None
    if done:
        status.ok(done)
    else:
        status.clear()
    host.data_changed.emit()
    return result


def read(host: Desk, query: Callable[[Session], T]) -> T:
    """A read-only look inside one session (frozen results only leave it)."""
    with host.db.sessions() as s:
        return query(s)


def euro(cents: int) -> str:
    return format_euro(cents)


def points(value: Decimal | Fraction | None, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return format_decimal_it(value, places, thousands=False)


def day_it(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(value: date | None = None) -> QDateEdit:
    """A date field the Italian way (dd/mm/yyyy) with a calendar, whatever the system locale."""
    edit = QDateEdit(to_qdate(value) if value else QDate.currentDate())
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def scrolling(widget: QWidget) -> QScrollArea:
    """A column of boxes that scrolls on a short screen (125 % on a laptop) instead of squashing its fields."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
