"""What a broken seal says: the object, in the committee's words, and what no longer holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from valutazione.errors import ValutazioneError

RESTORE_HINT = (
    "Il file è aperto in sola lettura: conservarne una copia, avvisare il responsabile del procedimento e "
    "ripristinare la copia di sicurezza integra più recente (valutazione restore FILE, oppure File → "
    "Ripristina da backup)."
)
SERVER_HINT = (
    "Il database sul server è stato modificato al di fuori dell'applicazione: conservarne una copia "
    "(valutazione server pull URL FILE), avvisare il responsabile del procedimento e l'amministratore del "
    "server, che ripristina la copia integra più recente dalle proprie copie di sicurezza (pg_dump)."
)


@dataclass(frozen=True)
class BrokenSeal:
    """One decisive object whose stored state no longer matches its seal."""

    kind: str  # registro, scheda, regole, tabella name, graduatoria, ancora, firma
    obj: str  # the object as the committee names it, e.g. «Scheda di Nadia Cattaneo su PG 119/2018»
    problem: str

    @property
    def message(self) -> str:
        return f"{self.obj}: {self.problem}"


class BrokenSealError(ValutazioneError):
    """A write, approval, export, package or merge refused because a seal of the file is broken."""

    def __init__(self, broken: list[BrokenSeal]) -> None:
        self.broken = broken
        others = len(broken) - 1
        more = f" (e altri {others} oggetti: valutazione audit verify FILE li elenca)" if others else ""
        super().__init__(f"Sigillo violato. {broken[0].message}{more}. {RESTORE_HINT}")


def when_it(moment: datetime) -> str:
    """«16/04/2018 alle 10:12», Europe/Rome (UTC if the time zone database is missing)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        local = moment.astimezone(ZoneInfo("Europe/Rome"))
    except ZoneInfoNotFoundError:
        local = moment
    return local.strftime("%d/%m/%Y alle %H:%M")
