"""Where the procedure stands and what each person should do next: the home page of each role.

One read, one frozen record: the page shows ``Home.steps`` in order, each with the place to act
(``Step.place``, a key the window maps to a screen). The counts are plain queries, not the ranking's
computation: the home page is shown at every entry and must stay instant on a large file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione.models import Ammissibilita, AuditRow, Conflitto, Domanda, GraduatoriaVersion, Scheda, Seduta
from valutazione.services import lookup
from valutazione.services.committee import PRESIDENTE, SEGRETARIO, scoring_members

# The places a step may lead to; the window maps each to a screen or a menu action.
DOMANDE, IMPORT, ADMISSIBILITY, PROGRESS, RANKING, SESSIONS, DOCUMENTS = (
    "domande", "import", "admissibility", "progress", "ranking", "sessions", "documents",
)  # fmt: skip
ADMISSIBLE = "ammissibile"


@dataclass(frozen=True)
class Step:
    """One line of the home page: what it says, whether it is done, where to act."""

    text: str
    place: str
    done: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Home:
    role: str
    headline: str
    sections: tuple[Section, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for section in self.sections for step in section.steps)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _admissible_ids(s: Session) -> set[int]:
    return set(s.scalars(select(Ammissibilita.domanda_id).where(Ammissibilita.outcome == ADMISSIBLE)))


def _member_steps(s: Session, member_id: int) -> list[Step]:
    admissible = _admissible_ids(s)
    conflicts = set(
        s.scalars(select(Conflitto.domanda_id).where(Conflitto.commissario_id == member_id, Conflitto.has_conflict))
    )
    # Four columns, not ``select(Scheda)``: the page is built at every entry, and a member's thousands of
    # sheets as ORM objects were a third of the window's cold start on a 5,000-application file.
    own = select(Scheda.id, Scheda.domanda_id, Scheda.state, Scheda.revision).where(Scheda.commissario_id == member_id)
    sheets = {x.domanda_id: x for x in s.execute(own)}
    to_score = [d for d in admissible - conflicts if d not in sheets]
    drafts = [x for x in sheets.values() if x.state == "bozza" and x.domanda_id in admissible - conflicts]
    submitted = sum(1 for x in sheets.values() if x.state == "inviata")
    steps = [
        Step(
            f"Domande da valutare: {len(to_score)}" + ("" if admissible else " (nessuna ancora ammessa)"),
            DOMANDE,
            done=not to_score,
        ),
        Step(f"Bozze salvate, non ancora inviate: {len(drafts)}", DOMANDE, done=not drafts),
        Step(f"Schede inviate: {submitted}", DOMANDE, done=True),
    ]
    reopened = [x for x in drafts if x.revision > 0]
    if reopened:
        reasons = _reopen_reasons(s, {x.id for x in reopened})
        for sheet in reopened:
            protocol, reason = reasons.get(sheet.id, (lookup.domanda(s, sheet.domanda_id).protocol, ""))
            text = f"Scheda riaperta dal presidente — {protocol}" + (f": «{reason}»" if reason else "")
            steps.append(Step(text, DOMANDE))
    return steps


def _reopen_reasons(s: Session, sheet_ids: set[int]) -> dict[int, tuple[str, str]]:
    """The latest reopening of each sheet: protocol and the chair's reason, from the audit log."""
    rows = s.execute(
        select(AuditRow.entity_id, AuditRow.after_json)
        .where(AuditRow.action == "scheda.riaperta", AuditRow.entity == "scheda")
        .order_by(AuditRow.id)
    )
    found: dict[int, tuple[str, str]] = {}
    for entity_id, after_json in rows:
        if entity_id.isdigit() and int(entity_id) in sheet_ids:
            after = json.loads(after_json)
            found[int(entity_id)] = (str(after.get("protocollo", "")), str(after.get("motivo", "")))
    return found


def _chair_steps(s: Session) -> list[Step]:
    total = s.scalar(select(func.count(Domanda.id))) or 0
    decided = s.scalar(select(func.count(Ammissibilita.id))) or 0
    # The admissible ids as a subquery, not as thousands of bound parameters (compiled at every entry).
    admissible = select(Ammissibilita.domanda_id).where(Ammissibilita.outcome == ADMISSIBLE)
    admitted = s.scalar(select(func.count()).select_from(admissible.subquery())) or 0
    scorers = [m.id for m in scoring_members(s)]
    conflicts = (
        s.scalar(select(func.count(Conflitto.id)).where(Conflitto.has_conflict, Conflitto.domanda_id.in_(admissible)))
        or 0
    )
    expected = admitted * len(scorers) - conflicts
    # A sheet sent before its author declared a conflict is left out of the ranking: not one of those awaited.
    abstained = select(Conflitto.id).where(
        Conflitto.commissario_id == Scheda.commissario_id,
        Conflitto.domanda_id == Scheda.domanda_id,
        Conflitto.has_conflict,
    )
    sent = (Scheda.state == "inviata", Scheda.domanda_id.in_(admissible), ~abstained.exists())
    submitted = s.scalar(select(func.count(Scheda.id)).where(*sent)) or 0
    # The version and its state only: the stored ranking's JSON (megabytes at 5,000 rows) is not shown here.
    versions = select(GraduatoriaVersion.version, GraduatoriaVersion.state)
    latest = s.execute(versions.order_by(GraduatoriaVersion.version.desc()).limit(1)).first()
    if latest is None:
        ranking = Step("Graduatoria: non ancora approvata", RANKING)
    elif latest.state == "definitiva":
        ranking = Step(f"Graduatoria definitiva approvata (versione {latest.version})", RANKING, done=True)
    else:
        ranking = Step(f"Graduatoria provvisoria approvata (versione {latest.version}): manca la definitiva", RANKING)
    steps = [
        Step(f"Domande importate: {total}", IMPORT, done=total > 0),
        Step(f"Ammissibilità decisa: {decided} su {total}", ADMISSIBILITY, done=total > 0 and decided == total),
        Step(
            f"Schede inviate: {submitted} su {expected} attese",
            PROGRESS,
            done=expected > 0 and submitted >= expected,
        ),
        ranking,
    ]
    steps.extend(_minutes_steps(s))
    return steps


def _minutes_steps(s: Session) -> list[Step]:
    sessions = s.scalar(select(func.count(Seduta.id))) or 0
    last = s.scalars(select(Seduta).order_by(Seduta.number.desc())).first()
    if last is None:
        return [Step("Sedute registrate: nessuna", SESSIONS)]
    day = last.day.strftime("%d/%m/%Y")
    return [
        Step(f"Sedute registrate: {sessions} (ultima: n. {last.number} del {day})", SESSIONS, done=True),
        Step(f"Verbale della seduta n. {last.number}: esportare e firmare", DOCUMENTS),
    ]


def home(s: Session, member_id: int) -> Home:
    """The home page of ``member_id``: by role, the state of the procedure and the next actions."""
    m = lookup.member(s, member_id)
    own = Section("Le proprie valutazioni", tuple(_member_steps(s, m.id)))
    sections: tuple[Section, ...]
    if m.role == PRESIDENTE:
        sections = (Section("La procedura", tuple(_chair_steps(s))), own)
    elif m.role == SEGRETARIO:
        sections = (Section("Sedute e verbali", tuple(_minutes_steps(s))),)
    else:
        sections = (own,)
    open_steps = [x for section in sections for x in section.steps if not x.done]
    headline = f"Prossima azione: {open_steps[0].text}" if open_steps else "Nessuna azione in sospeso."
    return Home(m.role, headline, sections)


def complete_drafts(s: Session, member_id: int) -> tuple[str, ...]:
    """The protocols of the member's drafts that could be submitted now (every mark and reason given).

    Drafts on applications since declared in conflict or excluded are not among them (``sheets._drafts``).
    """
    from valutazione.services.sheets import ready_drafts

    return tuple(sorted(lookup.domanda(s, x.domanda_id).protocol for x in ready_drafts(s, member_id)))
