"""Committee sessions (*sedute*) as the secretary records them: the minutes are printed from these.

Only what the verbale needs is kept: number, day, times, place, who was present, agenda, notes.
Corrections after printing are notes added, never rewrites, so ``add_note`` appends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import Commissario, Presenza, Seduta, utcnow

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def record_seduta(
    s: Session,
    day: date,
    start_time: str,
    end_time: str,
    place: str,
    agenda: str,
    present: Iterable[int],
    actor: str,
    notes: str = "",
    remote: bool = False,
) -> Seduta:
    """Records a session with the next number; every member not listed as present is recorded absent."""
    for label, value in (("inizio", start_time), ("fine", end_time)):
        if value and not TIME.match(value):
            raise RuleViolation(f"Ora di {label} della seduta non valida: «{value}» (formato hh:mm).")
    if start_time and end_time and end_time < start_time:
        raise RuleViolation("L'ora di fine della seduta precede l'ora di inizio.")
    if not place.strip() and not remote:
        raise RuleViolation("Indicare il luogo della seduta (o che si svolge da remoto).")
    members = {m.id: m for m in s.scalars(select(Commissario))}
    present_ids = set(present)
    unknown = present_ids - set(members)
    if unknown:
        raise RuleViolation(f"Commissari presenti sconosciuti: {', '.join(map(str, sorted(unknown)))}.")
    number = (s.scalar(select(func.max(Seduta.number))) or 0) + 1
    row = Seduta(
        number=number,
        day=day,
        start_time=start_time,
        end_time=end_time,
        place=place.strip(),
        remote=remote,
        agenda=agenda.strip(),
        notes=notes.strip(),
        opened_at=utcnow(),
        closed_at=utcnow() if end_time else None,
        presenze=[Presenza(commissario_id=mid, present=mid in present_ids) for mid in sorted(members)],
    )
    s.add(row)
    s.flush()
    audit.record(
        s,
        actor,
        "seduta.registrata",
        "seduta",
        number,
        None,
        {
            "numero": number,
            "data": day,
            "inizio": start_time,
            "fine": end_time,
            "luogo": row.place,
            "presenti": sorted(members[m].name for m in present_ids),
        },
    )
    return row


def add_note(s: Session, seduta_id: int, note: str, actor: str) -> Seduta:
    """Appends a correction note to a session's record (printed before the signatures)."""
    row = s.get(Seduta, seduta_id)
    if row is None:
        raise RuleViolation(f"Nessuna seduta con identificativo {seduta_id}.")
    note = note.strip()
    if not note:
        raise RuleViolation("La nota di correzione è vuota.")
    before = row.notes
    row.notes = f"{before}\n{note}".strip()
    s.flush()
    audit.record(s, actor, "seduta.nota", "seduta", row.number, {"note": before}, {"note": row.notes})
    return row
