"""The one date rule every record of a funded project shares: a fact is recorded once it has happened.

Why it matters: the latest indicator value by date is the project's current one, so a value dated 2099
would stay «current» over every real value reported afterwards; a support meeting dated next month counts
as hours given and hides a project that is behind; a payment dated next year is *erogato* today. A
scheduled payment or meeting is recorded on the day it takes place. «Today» is Rome's, as every date the
committee reads.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from valutazione.errors import RuleViolation

ROME = ZoneInfo("Europe/Rome")


def today_in_rome() -> date:
    return datetime.now(ROME).date()


def not_in_the_future(day: date, what: str) -> date:
    """``day`` if it is not after today; otherwise a refusal naming ``what`` and both dates."""
    today = today_in_rome()
    if day > today:
        raise RuleViolation(
            f"{what} porta una data futura ({day:%d/%m/%Y}, oggi è il {today:%d/%m/%Y}): si registra a fatto avvenuto."
        )
    return day
