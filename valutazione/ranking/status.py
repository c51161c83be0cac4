"""Each outcome once: the stored value, its Italian label, its short label and its colour.

The engine, the documents, the command line and the screens all name an outcome through these
enumerations, so an outcome is worded the same on the screen, in the internal PDF, in the public
ranking and in the minutes. The values are the strings stored in the file (an approved version's JSON,
the admissibility table's CHECK constraint), so they never change; labels may.
"""

from __future__ import annotations

from enum import StrEnum


class RankingStatus(StrEnum):
    """The outcome of one application in a ranking, in the order the documents list them."""

    FUNDED = "finanziata"
    PARTIALLY_FUNDED = "finanziata_parzialmente"
    NOT_FUNDED = "ammessa_non_finanziata"
    RENOUNCED = "rinunciataria"
    NOT_ADMITTED = "non_ammessa"
    NOT_SCORED = "non_valutata"
    EXCLUDED = "esclusa"

    @property
    def label(self) -> str:
        """The full Italian wording, as on the screen, in the PDFs and in the public ranking."""
        return _RANKING_TEXT[self][0]

    @property
    def short(self) -> str:
        """A narrow table column's wording (the PDF's «Esito», the minutes, the command line)."""
        return _RANKING_TEXT[self][1]

    @property
    def colour(self) -> str:
        """The background a screen paints the row with (hex RGB)."""
        return _RANKING_TEXT[self][2]

    @property
    def ranked(self) -> bool:
        """Whether the application has a position in the ranking (it passed every threshold)."""
        return self in (self.FUNDED, self.PARTIALLY_FUNDED, self.NOT_FUNDED, self.RENOUNCED)

    @property
    def funded(self) -> bool:
        return self in (self.FUNDED, self.PARTIALLY_FUNDED)

    @classmethod
    def parse(cls, value: str) -> RankingStatus:
        """The status stored as ``value``; an unknown one is refused, never shown as raw text."""
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"esito «{value}» non previsto (esiti possibili: {known})") from None


FUNDED_COLOUR = "#d8efd9"
PARTIAL_COLOUR = "#fff1c7"
RESERVE_COLOUR = "#e3ecf7"
NOT_ADMITTED_COLOUR = "#f6dcdc"
EXCLUDED_COLOUR = "#e6e6e6"

_RANKING_TEXT: dict[RankingStatus, tuple[str, str, str]] = {
    RankingStatus.FUNDED: ("Ammessa e finanziata", "Finanziata", FUNDED_COLOUR),
    RankingStatus.PARTIALLY_FUNDED: ("Finanziata parzialmente", "Finanz. parziale", PARTIAL_COLOUR),
    RankingStatus.NOT_FUNDED: (
        "Ammessa non finanziata (esaurimento risorse)",
        "Non finanziata",
        RESERVE_COLOUR,
    ),
    RankingStatus.RENOUNCED: ("Rinunciataria / revocata", "Rinunciataria", EXCLUDED_COLOUR),
    RankingStatus.NOT_ADMITTED: ("Non ammessa (sotto soglia)", "Non ammessa", NOT_ADMITTED_COLOUR),
    RankingStatus.NOT_SCORED: ("Non ancora valutata", "Da valutare", RESERVE_COLOUR),
    RankingStatus.EXCLUDED: ("Esclusa", "Esclusa", EXCLUDED_COLOUR),
}


class AdmissibilityOutcome(StrEnum):
    """The formal admissibility decision on one application (docs/regole.md)."""

    ADMISSIBLE = "ammissibile"
    EXCLUDED = "esclusa"
    NOT_RECEIVABLE = "non_ricevibile"

    @property
    def label(self) -> str:
        return _ADMISSIBILITY_TEXT[self][0]

    @property
    def colour(self) -> str:
        return _ADMISSIBILITY_TEXT[self][1]

    @property
    def excludes(self) -> bool:
        """Whether the application leaves the procedure (it is listed apart and never scored)."""
        return self is not AdmissibilityOutcome.ADMISSIBLE


_ADMISSIBILITY_TEXT: dict[AdmissibilityOutcome, tuple[str, str]] = {
    AdmissibilityOutcome.ADMISSIBLE: ("ammissibile", FUNDED_COLOUR),
    AdmissibilityOutcome.EXCLUDED: ("esclusa", EXCLUDED_COLOUR),
    AdmissibilityOutcome.NOT_RECEIVABLE: ("non ricevibile", EXCLUDED_COLOUR),
}


def admissibility_label(value: str | None, undecided: str = "da decidere") -> str:
    """The label of a stored admissibility outcome; ``undecided`` when there is none yet."""
    if not value:
        return undecided
    try:
        return AdmissibilityOutcome(value).label
    except ValueError:
        return value
