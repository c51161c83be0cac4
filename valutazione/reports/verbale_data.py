"""What the minutes of one session say, gathered from the file: people, declarations, decisions.

The minutes must report what the committee *did* in that session, so the decisions come from the
hash-chained audit log within the session's time window (the same log that proves them on appeal),
not from the current state of the tables, which later sessions may have changed. The result is a
frozen record, rendered by ``reports.verbale`` and hashed for the footer's fingerprint.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.bando import Bando, bando_from_json
from valutazione.models import (
    AuditRow,
    BandoRow,
    Commissario,
    Dichiarazione,
    Domanda,
    GraduatoriaVersion,
    Seduta,
)
from valutazione.ranking.status import admissibility_label
from valutazione.reports.layout import date_it, fingerprint_of
from valutazione.reports.ranking_view import RankingView, from_version
from valutazione.services import sedute

ROLE_ORDER = {"presidente": 0, "componente": 1, "segretario": 2}
ROLE_LABELS = {
    "presidente": "Presidente",
    "componente": "Componente",
    "segretario": "Segretario verbalizzante",
}
SENT = "Valutazione di merito: schede inviate"
# The audit actions the minutes turn into sentences (``_describe``) or count (the sheets sent); the rest
# of the log is not part of them.
REPORTED_ACTIONS = (
    "scheda.inviata",
    "dichiarazione.resa",
    "conflitto.dichiarato",
    "conflitto.astensione_ritirata",
    "ammissibilita.decisa",
    "domanda.lotto",
    "soccorso.richiesto",
    "soccorso.chiuso",
    "scheda.riaperta",
    "sorteggio.registrato",
    "rinuncia.registrata",
    "graduatoria.approvata",
    "bando.regole_modificate",
)
RESCUE_LABELS = {"integrata": "documentazione integrata", "non_integrata": "documentazione non integrata"}


class AuditLine(Protocol):
    """The audit columns the minutes read (a Core result row, not a loaded ``AuditRow``)."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def after_json(self) -> str: ...


@dataclass(frozen=True)
class MemberLine:
    name: str
    role: str
    present: bool | None  # None: presence not recorded for this session
    declared_on: str  # the general declaration's date, or "" when not yet made

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def field_name(self) -> str:
        """The empty signature field's name, e.g. ``Presidente - Laura Fumagalli`` (no dots allowed)."""
        return f"{self.role_label} - {self.name}".replace(".", "")


@dataclass(frozen=True)
class Section:
    """A group of decisions or declarations, each item one sentence with its time and reason."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class VerbaleData:
    bando: Bando
    number: int
    day: date
    start_time: str
    end_time: str
    place: str
    remote: bool
    agenda: str
    notes: str
    appointment_act: str
    appointment_date: date | None
    members: tuple[MemberLine, ...]
    declarations: tuple[Section, ...]
    decisions: tuple[Section, ...]
    rankings: tuple[RankingView, ...]
    window: tuple[datetime, datetime]

    @property
    def secretary(self) -> MemberLine | None:
        return next((m for m in self.members if m.role == "segretario"), None)

    @property
    def signers(self) -> tuple[MemberLine, ...]:
        """Who signs: those present, or everybody when presence was not recorded; absent members never."""
        recorded = any(m.present is not None for m in self.members)
        return tuple(m for m in self.members if (m.present if recorded else True))

    def fingerprint(self) -> str:
        """What ``asdict`` gives, with the call by its code and each ranking by its own fingerprint.

        The two are left out of the copy rather than replaced after it: copying a ranking of 20,000
        rows field by field only to throw the copy away took most of this function's time.
        """
        content = {f.name: _asdict_value(getattr(self, f.name)) for f in fields(self) if f.name not in _BY_REFERENCE}
        content["bando"] = self.bando.code
        content["rankings"] = [r.fingerprint for r in self.rankings]
        return fingerprint_of(content)


_BY_REFERENCE = frozenset({"bando", "rankings"})


def _asdict_value(value: Any) -> Any:
    """A field's value as ``dataclasses.asdict`` renders it for JSON (dataclasses inside tuples included)."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, tuple):
        return [_asdict_value(v) for v in value]
    return value


def session_window(seduta: Seduta, tz: ZoneInfo, same_day: Sequence[Seduta] = ()) -> tuple[datetime, datetime]:
    """From the earliest of opening and stated start to the latest of closing and stated end (UTC).

    Both are kept because the secretary may open the record a little before the session starts and
    the app records decisions until it is closed; without a stated end or a closing, the day's end.
    The record's opening and closing count only when they fall on the session's own day: a session
    recorded days after it was held (or before) would otherwise sweep into its minutes every decision
    logged between its start and the recording, decisions the committee never took in that session
    (one taken alone on another day would read as taken collegially, with the members present). Nor do
    they stretch over another session of the same day (``same_day``): two sessions recorded together in
    the evening would otherwise both report the afternoon's decisions, each with its own attendance.
    """
    day_start = datetime.combine(seduta.day, time(0), tz)
    day_end = datetime.combine(seduta.day + timedelta(days=1), time(0), tz)
    moments = (seduta.opened_at, seduta.closed_at)
    opened, closed = (m if m is not None and day_start <= m < day_end else None for m in moments)
    starts = [opened] if opened else []
    ends = [closed] if closed else []
    if seduta.start_time:
        starts.append(_at(seduta.day, seduta.start_time, tz))
    if seduta.end_time:
        ends.append(_at(seduta.day, seduta.end_time, tz))
    start = min(starts) if starts else day_start
    end = max(ends) if ends else day_end
    stated = [_at(seduta.day, hhmm, tz) for hhmm in (seduta.start_time, seduta.end_time) if hhmm]
    if stated:  # a session without stated times cannot be placed among the others of its day
        for other in same_day:
            if other.start_time and _at(other.day, other.start_time, tz) >= stated[-1]:
                end = max(min(end, _at(other.day, other.start_time, tz)), stated[-1])
            if other.end_time and _at(other.day, other.end_time, tz) <= stated[0]:
                start = min(max(start, _at(other.day, other.end_time, tz)), stated[0])
    return start.astimezone(UTC), end.astimezone(UTC)


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hours, _, minutes = hhmm.partition(":")
    return datetime.combine(day, time(int(hours), int(minutes or 0)), tz)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _hm(moment: datetime, tz: ZoneInfo) -> str:
    return f"ore {moment.astimezone(tz):%H:%M}"


def collect_verbale(s: Session, number: int) -> VerbaleData:
    """Reads everything the minutes of session ``number`` report; refuses an unknown session."""
    seduta = sedute.seduta_row(s, number)
    head = s.scalars(select(BandoRow)).one()
    bando = bando_from_json(head.rules_json)
    tz = ZoneInfo(bando.timezone)
    same_day = list(s.scalars(select(Seduta).where(Seduta.day == seduta.day, Seduta.id != seduta.id)))
    window = session_window(seduta, tz, same_day)
    presence = {p.commissario_id: p.present for p in seduta.presenze}
    declared = {d.commissario_id: d.declared_at for d in s.scalars(select(Dichiarazione))}
    members = sorted(s.scalars(select(Commissario)), key=lambda m: (ROLE_ORDER.get(m.role, 9), m.name))
    lines = tuple(
        MemberLine(m.name, m.role, presence.get(m.id), date_it(declared[m.id]) if m.id in declared else "")
        for m in members
    )
    # Plain rows of the five columns used, not AuditRow objects: a session that receives 1,000
    # applications x 5 members of sheets has over 10,000 audit rows, and ORM loading was half the time.
    columns = (AuditRow.action, AuditRow.actor, AuditRow.entity_id, AuditRow.at, AuditRow.after_json)
    # Only the actions the minutes report: a session of 20,000 applications also logs ~95,000 «no conflict»
    # rows and the seals, which were read, decoded and dropped one by one.
    in_window = (AuditRow.at >= window[0], AuditRow.at <= window[1], AuditRow.action.in_(REPORTED_ACTIONS))
    query = select(*columns).where(*in_window).order_by(AuditRow.id)
    rows: list[AuditLine] = list(s.execute(query))
    applicants = {p: a for p, a in s.execute(select(Domanda.protocol, Domanda.applicant))}
    declarations, decisions = _sections(rows, applicants, tz)
    versions = s.scalars(
        select(GraduatoriaVersion).where(GraduatoriaVersion.seduta_id == seduta.id).order_by(GraduatoriaVersion.version)
    )
    return VerbaleData(
        bando=bando,
        number=seduta.number,
        day=seduta.day,
        start_time=seduta.start_time,
        end_time=seduta.end_time,
        place=seduta.place,
        remote=seduta.remote,
        agenda=seduta.agenda,
        notes=seduta.notes,
        appointment_act=head.appointment_act,
        appointment_date=head.appointment_date,
        members=lines,
        declarations=declarations,
        decisions=decisions,
        rankings=tuple(from_version(v, bando) for v in versions),
        window=window,
    )


def _sections(
    rows: list[AuditLine], applicants: dict[str, str], tz: ZoneInfo
) -> tuple[tuple[Section, ...], tuple[Section, ...]]:
    groups: dict[str, list[str]] = {}
    sent: dict[str, list[str]] = {}
    for row in rows:
        if row.action == "scheda.inviata":
            sent.setdefault(row.actor, []).append(str((json.loads(row.after_json) or {}).get("protocollo", "")))
            continue
        entry = _describe(row, applicants, tz)
        if entry is not None:
            groups.setdefault(entry[0], []).append(entry[1])
    for member, protocols in sorted(sent.items()):
        noun = "scheda inviata" if len(protocols) == 1 else "schede inviate"
        groups.setdefault(SENT, []).append(f"{member}: {len(protocols)} {noun} (domande {', '.join(protocols)}).")
    declaration_titles = ("Dichiarazioni di insussistenza di incompatibilità", "Conflitti di interessi")
    decision_titles = (
        "Modifiche alle regole del bando",
        "Ammissibilità formale",
        "Soccorso istruttorio",
        SENT,
        "Schede riaperte",
        "Sorteggi pubblici",
        "Rinunce e revoche",
        "Graduatoria",
    )
    declarations = tuple(Section(t, tuple(groups[t])) for t in declaration_titles if t in groups)
    decisions = tuple(Section(t, tuple(groups[t])) for t in decision_titles if t in groups)
    return declarations, decisions


def _describe(row: AuditLine, applicants: dict[str, str], tz: ZoneInfo) -> tuple[str, str] | None:
    """One audit row as a sentence of the minutes, under its section; None for rows the minutes skip."""
    after: dict[str, Any] = json.loads(row.after_json) or {}
    when = _hm(row.at, tz)
    action = row.action

    def domanda(protocol: str) -> str:
        name = applicants.get(protocol)
        return f"domanda {protocol} ({name})" if name else f"domanda {protocol}"

    if action == "dichiarazione.resa":
        return (
            "Dichiarazioni di insussistenza di incompatibilità",
            f"{row.actor}: dichiarazione resa ({when}).",
        )
    if action == "conflitto.dichiarato":
        reason = after.get("motivo") or "motivo non indicato"
        text = f"{row.actor} dichiara un conflitto di interessi sulla {domanda(row.entity_id)} ({reason}) e si astiene."
        return "Conflitti di interessi", text
    if action == "conflitto.astensione_ritirata":
        member = after.get("commissario", "")
        text = (
            f"{row.actor} ritira l'astensione di {member} sulla {domanda(row.entity_id)}: {member} torna a "
            f"valutarla. Motivazione: {after.get('motivo_ritiro', '')}"
        )
        return "Conflitti di interessi", text
    if action == "domanda.lotto":
        text = f"{_first_upper(domanda(row.entity_id))}: concorre nel lotto {after.get('lotto', '')}."
        return "Ammissibilità formale", f"{text} Motivazione: {after.get('motivo', '')}"
    if action == "ammissibilita.decisa":
        outcome = admissibility_label(str(after.get("esito")))
        return (
            "Ammissibilità formale",
            f"{_first_upper(domanda(row.entity_id))}: {outcome}. Motivazione: {after.get('motivo', '')}",
        )
    if action == "soccorso.richiesto":
        deadline = after.get("scadenza")
        shown = date_it(date.fromisoformat(deadline)) if isinstance(deadline, str) else str(deadline)
        documents = after.get("documenti", "")
        text = f"Richiesto soccorso istruttorio per la {domanda(row.entity_id)}: {documents} (scadenza {shown})."
        return "Soccorso istruttorio", text
    if action == "soccorso.chiuso":
        outcome = RESCUE_LABELS.get(str(after.get("esito")), str(after.get("esito")))
        note = f" {after['nota']}" if after.get("nota") else ""
        return (
            "Soccorso istruttorio",
            f"Chiuso il soccorso istruttorio per la {domanda(row.entity_id)}: {outcome}.{note}",
        )
    if action == "scheda.riaperta":
        protocol = str(after.get("protocollo", ""))
        text = (
            f"Il presidente riapre la scheda di {after.get('commissario', '')} sulla {domanda(protocol)}. "
            f"Motivazione: {after.get('motivo', '')}"
        )
        return "Schede riaperte", text
    if action == "sorteggio.registrato":
        order = " > ".join(after.get("ordine", []))
        note = f" {after['nota']}" if after.get("nota") else ""
        return (
            "Sorteggi pubblici",
            f"Sorteggio pubblico tra domande in parità; ordine estratto: {order}.{note}",
        )
    if action == "rinuncia.registrata":
        return (
            "Rinunce e revoche",
            f"Rinuncia o revoca per la {domanda(row.entity_id)}. Motivo: {after.get('motivo', '')}",
        )
    if action == "graduatoria.approvata":
        reason = f" Motivazione: {after['motivo']}" if after.get("motivo") else ""
        text = (
            f"Approvata la graduatoria {after.get('stato', '')}, versione {after.get('versione', '')} "
            f"(impronta SHA-256 {after.get('impronta', '')}).{reason}"
        )
        return "Graduatoria", text
    if action == "bando.regole_modificate":
        mods = after.get("modifiche", {})
        changes = "; ".join(f"{k} = {v}" for k, v in sorted(mods.items()))
        why = after.get("motivazione")
        reason = f" Motivazione: {why}" if why else " (prima dell'apertura delle domande: motivazione non richiesta)"
        return "Modifiche alle regole del bando", f"{changes}.{reason}"
    return None
