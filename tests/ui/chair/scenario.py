"""The sample call driven to a ranking through the services, for the screens that come after scoring.

Budget lowered to € 300.000 so the funding line falls inside the list (partial grant, reserve list);
PG 141/2018 is a copy of PG 117/2018 sent at the same minute with the same marks, so a tie survives
the whole chain and needs a draw; PG 123/2018 (whose duplicate row was refused) gets PG 139's marks.
"""

from __future__ import annotations

from pathlib import Path

from tests.builders import Builder
from tests.ui.chair.conftest import SAMPLE
from valutazione.db import Database

CHAIR = "Laura Fumagalli"
MEMBERS = (
    (CHAIR, "presidente"),
    ("Stefano Brambilla", "componente"),
    ("Nadia Cattaneo", "componente"),
    ("Giulia Sala", "segretario"),
)
FLAGGED_EXCLUDED = ("PG 104/2018", "PG 108/2018", "PG 112/2018", "PG 116/2018", "PG 120/2018", "PG 128/2018")
BUDGET_CENTS = 30_000_000


def extra_files(tmp: Path) -> tuple[Path, Path]:
    """The tied twin application and the scores for it and for PG 123/2018."""
    lines = (SAMPLE / "domande-esempio.csv").read_text(encoding="utf-8-sig").splitlines()
    twin = next(line for line in lines if line.startswith("PG 117/2018;"))
    twin = twin.replace("PG 117/2018", "PG 141/2018").replace("Gallaratese Solidale", "Bovisa Solidale")
    domande = tmp / "domanda-aggiuntiva.csv"
    domande.write_text(lines[0] + "\n" + twin + "\n", encoding="utf-8")
    scores = (SAMPLE / "punteggi-esempio.csv").read_text(encoding="utf-8-sig").splitlines()
    extra = [r.replace("PG 117/2018", "PG 141/2018") for r in scores if ";PG 117/2018;" in r]
    extra += [r.replace("PG 139/2018", "PG 123/2018") for r in scores if ";PG 139/2018;" in r]
    punteggi = tmp / "punteggi-aggiuntivi.csv"
    punteggi.write_text(scores[0] + "\n" + "\n".join(extra) + "\n", encoding="utf-8")
    return domande, punteggi


def build(db: Database, tmp: Path, *, scored: bool = True) -> dict[str, int]:
    """Everything up to the merged scores (tests/builders.py steps); returns member ids by name."""
    extra_domande, extra_scores = extra_files(tmp)
    b = Builder(db, actor=CHAIR).budget(BUDGET_CENTS).sample().sample(extra_domande, skip_invalid=False)
    b.committee(MEMBERS, declare=True, appointment=("Determinazione dirigenziale n. 45/2018", None))
    b.admit_all("Requisiti formali verificati", excluded=FLAGGED_EXCLUDED)
    if scored:
        b.scores().scores(extra_scores).submit_all()
    return b.members
