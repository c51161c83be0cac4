"""Committee sessions (*sedute*) as the secretary records them: the minutes are printed from these.

Only what the verbale needs is kept: number, day, times, place, who was present, agenda, notes.
Corrections after printing are notes added, never rewrites, so ``add_note`` appends.
The lookups by number and the list live here once: the screens, the documents, the minutes and the
command line all name a session by its number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Commissario, Presenza, Seduta, utcnow
from valutazione.services import lookup
from valutazione.services.committee import SCORING_ROLES

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The opening of the line a recorded correction appends to the notes (``seduta_correction``): reserved, so
# that a plain note cannot pass for a correction the log never recorded.
CORRECTION_PREFIX = "Rettifica del "


@dataclass(frozen=True)
class SedutaRecord:
    """A recorded session as lists and dialogs show it (no live ORM object leaves the session)."""

    id: int
    number: int
    day: date
    start_time: str
    end_time: str
    place: str
    remote: bool
    agenda: str
    notes: str


def _record(row: Seduta) -> SedutaRecord:
    return SedutaRecord(
        row.id, row.number, row.day, row.start_time, row.end_time, row.place, row.remote, row.agenda, row.notes
    )


def list_sedute(s: Session, newest_first: bool = False) -> list[SedutaRecord]:
    """Every recorded session by number (the order of the minutes, or the latest first for a picker)."""
    order = Seduta.number.desc() if newest_first else Seduta.number
    return [_record(row) for row in s.scalars(select(Seduta).order_by(order))]


def seduta_row(s: Session, number: int) -> Seduta:
    """The session numbered ``number``, for the core's readers (the minutes); refuses an unknown number."""
    row = s.scalars(select(Seduta).where(Seduta.number == number)).first()
    if row is None:
        raise NotFoundError(f"Nessuna seduta numero {number}.")
    return row


def seduta_by_number(s: Session, number: int) -> SedutaRecord:
    """The session numbered ``number`` as a record; refuses an unknown number in Italian."""
    return _record(seduta_row(s, number))


def require_no_overlap(s: Session, day: date, start_time: str, end_time: str, seduta_id: int | None = None) -> None:
    """Refuses hours that overlap those stated by another session of the same day.

    One committee cannot sit twice at once, and the minutes take each session's decisions from its hours:
    a second session «09:30–12:00» beside the first would report the same decisions under another list
    of those present. Sessions without both times cannot be placed and are not compared.
    """
    if not (start_time and end_time):
        return
    others = select(Seduta).where(Seduta.day == day, Seduta.id != (seduta_id or -1))
    for other in s.scalars(others.order_by(Seduta.number)):
        if other.start_time and other.end_time and start_time < other.end_time and other.start_time < end_time:
            raise RuleViolation(
                f"Gli orari {start_time}–{end_time} si sovrappongono a quelli della seduta n. {other.number} dello "
                f"stesso giorno ({other.start_time}–{other.end_time}): la commissione non siede due volte insieme."
            )


def require_after_appointment(s: Session, day: date) -> None:
    """Refuses a session dated before the act appointing the committee (when its date is recorded).

    Minutes reading «seduta del 1° marzo» of a committee «nominata con determinazione del 5 marzo» would
    record decisions of a body that did not yet exist: the first thing an appeal would point at.
    """
    appointed = lookup.bando_row(s).appointment_date
    if appointed is not None and day < appointed:
        raise RuleViolation(
            f"La seduta del {day:%d/%m/%Y} precede l'atto di nomina della commissione ({appointed:%d/%m/%Y}): "
            "correggere la data della seduta o quella dell'atto."
        )


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
) -> SedutaRecord:
    """Records a session with the next number; every member not listed as present is recorded absent."""
    for label, value in (("inizio", start_time), ("fine", end_time)):
        if value and not TIME.match(value):
            raise RuleViolation(f"Ora di {label} della seduta non valida: «{value}» (formato hh:mm).")
    if start_time and end_time and end_time < start_time:
        raise RuleViolation("L'ora di fine della seduta precede l'ora di inizio.")
    if not place.strip() and not remote:
        raise RuleViolation("Indicare il luogo della seduta (o che si svolge da remoto).")
    require_plain_note(notes)
    require_no_overlap(s, day, start_time, end_time)
    require_after_appointment(s, day)
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
    return _record(row)


def require_quorum(s: Session, seduta_id: int) -> Seduta:
    """The session a decision is taken in, refused unless the voting members present reach the call's quorum.

    The minutes print «la seduta è valida» only with that many members entitled to vote present (the
    secretary does not count): a ranking approved «in» a session they call «numero inferiore al quorum» would
    be a collegial decision taken by a body that could not take it.
    """
    row = s.get(Seduta, seduta_id)
    if row is None:
        raise NotFoundError(f"Nessuna seduta con identificativo {seduta_id}.")
    voting = select(func.count()).select_from(Presenza).join(Commissario, Commissario.id == Presenza.commissario_id)
    present = voting.where(
        Presenza.seduta_id == seduta_id, Presenza.present.is_(True), Commissario.role.in_(SCORING_ROLES)
    )
    count, quorum = s.scalar(present) or 0, lookup.rules(s).quorum
    if count < quorum:
        raise RuleViolation(
            f"Nella seduta n. {row.number} risultano presenti {count} commissari con diritto di voto, meno del "
            f"quorum di {quorum}: la seduta non è valida per approvare la graduatoria (se le presenze sono "
            "sbagliate, rettificarle con il motivo)."
        )
    return row


def require_plain_note(text: str) -> None:
    """Refuses a note with a line opening as a recorded correction does («Rettifica del …»).

    The minutes print the notes as they are: a typed line «Rettifica del 10/04/2018 (…): presenti …» would
    read as a correction with its reason in the log, and contradict the attendance printed above it.
    """
    if any(line.strip().casefold().startswith(CORRECTION_PREFIX.casefold()) for line in text.splitlines()):
        raise RuleViolation(
            f"Una nota non può iniziare con «{CORRECTION_PREFIX.strip()}»: è la forma delle rettifiche registrate "
            "con il loro motivo (Sedute → «Rettifica…», comando «seduta rettifica»)."
        )


def add_note(s: Session, seduta_id: int, note: str, actor: str) -> SedutaRecord:
    """Appends a correction note to a session's record (printed before the signatures)."""
    row = s.get(Seduta, seduta_id)
    if row is None:
        raise RuleViolation(f"Nessuna seduta con identificativo {seduta_id}.")
    note = note.strip()
    if not note:
        raise RuleViolation("La nota di correzione è vuota.")
    require_plain_note(note)
    before = row.notes
    row.notes = f"{before}\n{note}".strip()
    s.flush()
    audit.record(s, actor, "seduta.nota", "seduta", row.number, {"note": before}, {"note": row.notes})
    return _record(row)
