"""The sample call driven to a ranking through the services, for the screens that come after scoring.

Budget lowered to € 300.000 so the funding line falls inside the list (partial grant, reserve list);
PG 141/2018 is a copy of PG 117/2018 sent at the same minute with the same marks, so a tie survives
the whole chain and needs a draw; PG 123/2018 (whose duplicate row was refused) gets PG 139's marks.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy.orm import Session

from tests.ui.chair.conftest import SAMPLE
from valutazione.db import Database
from valutazione.importers.domande import import_domande
from valutazione.services import admissibility, committee, lookup, rules, scores_csv, sheets

MEMBERS = (
    ("Laura Fumagalli", "presidente"),
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


def lower_budget(s: Session) -> None:
    bando = lookup.rules(s)
    rules.update_rules(s, "Laura Fumagalli", dataclasses.replace(bando, budget_cents=BUDGET_CENTS))


def committee_ready(s: Session) -> dict[str, int]:
    ids = {name: committee.add_member(s, name, role, "Laura Fumagalli").id for name, role in MEMBERS}
    for member_id in ids.values():
        committee.declare_general(s, member_id)
    committee.set_appointment(s, "Determinazione dirigenziale n. 45/2018", None, "Laura Fumagalli")
    return ids


def decide_admissibility(s: Session) -> None:
    admissibility.mark_all_admissible(s, "Laura Fumagalli", "Requisiti formali verificati")
    for c in admissibility.checklist(s):
        if c.outcome is None:
            outcome = "esclusa" if c.protocol in FLAGGED_EXCLUDED else "ammissibile"
            admissibility.decide(s, c.domanda_id, outcome, "; ".join(d for _, d in c.flags) or "verificata", "LF")


def score_all(s: Session, ids: dict[str, int], extra_scores: Path) -> None:
    scores_csv.import_scores(s, SAMPLE / "punteggi-esempio.csv", "Laura Fumagalli")
    scores_csv.import_scores(s, extra_scores, "Laura Fumagalli")
    for name, role in MEMBERS:
        if role != "segretario":
            sheets.submit_all_complete(s, ids[name])


def build(db: Database, tmp: Path, *, scored: bool = True) -> dict[str, int]:
    """Everything up to the merged scores; returns member ids by name."""
    extra_domande, extra_scores = extra_files(tmp)
    with db.sessions.begin() as s:
        lower_budget(s)
        import_domande(s, SAMPLE / "domande-esempio.csv", skip_invalid=True, actor="Laura Fumagalli")
        import_domande(s, extra_domande, actor="Laura Fumagalli")
        ids = committee_ready(s)
        decide_admissibility(s)
        if scored:
            score_all(s, ids, extra_scores)
    return ids
