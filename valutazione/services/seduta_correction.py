"""Correcting a recorded session (*rettifica*): a wrong day, time, place, agenda, note or attendance.

Why a separate action from ``add_note``: a note cannot fix an attendance list that decides the quorum, and
a silent rewrite would erase what was first recorded. A correction therefore needs a reason; the audit row
keeps every changed field before and after with that reason, the row seal follows the new values, and a
line naming the correction is appended to the session's notes so that the printed minutes show it too.
The notes themselves are only ever extended: they hold the earlier corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Commissario, Presenza, Seduta, utcnow
from valutazione.services.sedute import (
    CORRECTION_PREFIX,
    TIME,
    SedutaRecord,
    _record,
    require_after_appointment,
    require_no_overlap,
    require_plain_note,
)


@dataclass(frozen=True)
class SedutaChange:
    """The corrected values; ``None`` leaves a field as recorded."""

    day: date | None = None
    start_time: str | None = None
    end_time: str | None = None
    place: str | None = None
    remote: bool | None = None
    agenda: str | None = None
    notes: str | None = None
    present: frozenset[int] | None = None


ROME = ZoneInfo("Europe/Rome")
FIELDS = {  # attribute → the word the minutes and the log use for it
    "day": "data",
    "start_time": "inizio",
    "end_time": "fine",
    "place": "luogo",
    "remote": "da remoto",
    "agenda": "ordine del giorno",
    "notes": "note",
}


def present_ids(s: Session, seduta_id: int) -> frozenset[int]:
    """Who the session records as present (ids), for a correction form to start from."""
    rows = s.scalars(select(Presenza.commissario_id).where(Presenza.seduta_id == seduta_id, Presenza.present))
    return frozenset(rows)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _check(s: Session, row: Seduta, change: SedutaChange) -> None:
    start = change.start_time if change.start_time is not None else row.start_time
    end = change.end_time if change.end_time is not None else row.end_time
    for label, value in (("inizio", start), ("fine", end)):
        if value and not TIME.match(value):
            raise RuleViolation(f"Ora di {label} della seduta non valida: «{value}» (formato hh:mm).")
    if start and end and end < start:
        raise RuleViolation("L'ora di fine della seduta precede l'ora di inizio.")
    place = change.place if change.place is not None else row.place
    remote = change.remote if change.remote is not None else row.remote
    if not place.strip() and not remote:
        raise RuleViolation("Indicare il luogo della seduta (o che si svolge da remoto).")
    if change.notes is not None and not _keeps(row.notes, change.notes.strip()):
        raise RuleViolation(
            "Le note già registrate della seduta (con le rettifiche precedenti) non si cancellano né si "
            "riscrivono: una correzione si aggiunge come nuova nota, in fondo alle note esistenti."
        )
    if change.notes is not None:
        require_plain_note(change.notes.strip()[len(row.notes) :])
    require_no_overlap(s, change.day or row.day, start, end, row.id)
    if change.day is not None:
        require_after_appointment(s, change.day)


def _keeps(recorded: str, new: str) -> bool:
    """Whether ``new`` keeps every line of the recorded notes as it is, adding only whole lines after them.

    The notes carry the corrections made after printing and the lines of earlier corrections: replacing
    them would erase from the minutes what was corrected, and how, which the rule book forbids.
    """
    return not recorded or new == recorded or new.startswith(recorded + "\n")


def _attendance(s: Session, row: Seduta, present: frozenset[int]) -> tuple[list[str], list[str]]:
    """Applies the corrected attendance; returns the names present before and after."""
    names = {m.id: m.name for m in s.scalars(select(Commissario))}
    unknown = present - set(names)
    if unknown:
        raise RuleViolation(f"Commissari presenti sconosciuti: {', '.join(map(str, sorted(unknown)))}.")
    before = sorted(names[p.commissario_id] for p in row.presenze if p.present)
    recorded = {p.commissario_id: p for p in row.presenze}
    for member_id in sorted(names):
        if member_id in recorded:
            recorded[member_id].present = member_id in present
        elif member_id in present:  # not on the session's list (added after it): recorded only when said present
            row.presenze.append(Presenza(commissario_id=member_id, present=True))
        # else: a member appointed after the session stays «non registrata», never made «assente» in silence
    return before, sorted(names[m] for m in present)


def correct_seduta(s: Session, seduta_id: int, change: SedutaChange, reason: str, actor: str) -> SedutaRecord:
    """Applies ``change`` to the session; refuses without a reason or when nothing would change."""
    row = s.get(Seduta, seduta_id)
    if row is None:
        raise NotFoundError(f"Nessuna seduta con identificativo {seduta_id}.")
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Indicare il motivo della rettifica: resta nel registro e nel verbale.")
    _check(s, row, change)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attribute, word in FIELDS.items():
        new = getattr(change, attribute)
        if isinstance(new, str):
            new = new.strip()
        if new is not None and new != getattr(row, attribute):
            before[word], after[word] = getattr(row, attribute), new
            setattr(row, attribute, new)
    if change.present is not None:
        was, now = _attendance(s, row, change.present)
        if was != now:
            before["presenti"], after["presenti"] = was, now
    if not after:
        raise RuleViolation("La rettifica non cambia nulla: i valori sono quelli già registrati.")
    parts = "; ".join(
        f"{word}: «{_shown(before[word]) if word != 'presenti' else ', '.join(before[word])}» → "
        f"«{_shown(after[word]) if word != 'presenti' else ', '.join(after[word])}»"
        for word in after
        if word != "note"
    )
    today = utcnow().astimezone(ROME).strftime("%d/%m/%Y")
    line = f"{CORRECTION_PREFIX}{today} ({actor}): {reason}" + (f" — {parts}" if parts else "")
    row.notes = f"{row.notes}\n{line}".strip()
    s.flush()
    audit.record(s, actor, "seduta.rettificata", "seduta", row.number, before, {**after, "motivo": reason})
    return _record(row)
