"""The seal of an approved ranking version: recomputed from its frozen inputs, fingerprint compared.

A version keeps the rules, the facts (exclusions, renunciations, draws), the members' pairwise comparisons
(since schema 4) and, per application, the hash of every sheet it was computed on. The marks behind each
hash come from the sheet if it still carries that hash (its own seal has just been checked), else from the
log, which keeps the content of every sending: so a sheet reopened and changed after the approval does not
break the older version, but a version whose points no longer follow from what the members sent does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.bando import bando_from_stored
from valutazione.errors import ValutazioneError
from valutazione.models import AuditRow, GraduatoriaVersion
from valutazione.ranking import Ranking, build_ranking
from valutazione.ranking.engine import PairwiseInput
from valutazione.ranking.stored import StoredInputs, read_version
from valutazione.seals.report import BrokenSeal
from valutazione.seals.sheets import SheetFacts


def _marks(session: Session, facts: SheetFacts, digest: str) -> dict[str, Decimal] | None:
    found = facts.marks_by_hash.get(digest)
    if found is not None:
        return found
    audit_id = facts.logged_by_hash.get(digest)
    if audit_id is None:
        return None
    after = session.scalar(select(AuditRow.after_json).where(AuditRow.id == audit_id))
    content: dict[str, Any] = json.loads(after or "{}")
    marks = {v["sottocriterio"]: Decimal(v["valore"]) for v in content.get("voti", []) if v["valore"] is not None}
    facts.marks_by_hash[digest] = marks
    return marks


def recompute(session: Session, inputs: StoredInputs, facts: SheetFacts, label: str) -> tuple[Ranking, list[str]]:
    """The version's ranking rebuilt from its inputs; also the sheets whose content is nowhere in the file."""
    bando = bando_from_stored(inputs.rules, label)
    missing: list[str] = []
    candidates = []
    for c in inputs.candidates:
        marks: dict[str, dict[str, Decimal]] = {}
        for name, digest in c.sheets:
            found = _marks(session, facts, digest) if digest else None
            if found is None:
                missing.append(f"{name} su {c.protocol}")
            else:
                marks[name] = found
        candidates.append(c.candidate(marks))
    comparisons: PairwiseInput | None = inputs.comparisons
    if comparisons is None:  # a version before schema 4 did not record them: the file's current ones
        from valutazione.services.pairwise_entry import all_comparisons

        comparisons = all_comparisons(session, bando)
    return build_ranking(bando, candidates, dict(inputs.draws), comparisons), missing


def check_versions(session: Session, facts: SheetFacts, tick: Callable[[int], None]) -> list[BrokenSeal]:
    broken: list[BrokenSeal] = []
    query = select(GraduatoriaVersion.version, GraduatoriaVersion.fingerprint, GraduatoriaVersion.content_json)
    for number, stored, content_json in session.execute(query.order_by(GraduatoriaVersion.version)):
        obj = f"Graduatoria approvata, versione {number}"
        try:
            version = read_version(content_json)
            if version.inputs is None:
                raise ValueError("mancano i dati di calcolo")
            ranking, missing = recompute(session, version.inputs, facts, obj)
        except (ValueError, KeyError, TypeError, ValutazioneError) as exc:
            broken.append(BrokenSeal("graduatoria", obj, f"i dati con cui è stata approvata sono illeggibili ({exc})"))
            continue
        tick(1)
        if missing:
            broken.append(
                BrokenSeal(
                    "graduatoria",
                    obj,
                    "le schede su cui è stata calcolata non sono più nel file: "
                    + ", ".join(missing[:5])
                    + (" e altre" if len(missing) > 5 else ""),
                )
            )
        elif ranking.fingerprint() != stored or version.fingerprint != stored:
            broken.append(
                BrokenSeal(
                    "graduatoria",
                    obj,
                    "ricalcolata dai suoi dati non dà la stessa impronta: "
                    "posizioni o punteggi non seguono più dalle schede inviate",
                )
            )
    return broken
