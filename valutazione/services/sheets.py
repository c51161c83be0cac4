"""Scoring sheets (*schede*): one per member and application, draft until submitted, then locked.

Each member judges alone: drafts are private, a submitted sheet is timestamped and hashed, and only a
reopening by the presidente, with its reason in the audit log, makes it editable again. A member sees
the others' scores on an application only after submitting their own (``other_sheets`` refuses
otherwise), so the core, not the GUI, guards the independence of judgement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from valutazione import audit
from valutazione.audit import canonical_json
from valutazione.bando import Bando
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Ammissibilita, Commissario, Conflitto, Domanda, Scheda, Voto, utcnow
from valutazione.scoring import validate_value
from valutazione.services import lookup
from valutazione.services.admissibility import decision
from valutazione.services.committee import (
    PRESIDENTE,
    SCORING_ROLES,
    require_declared,
    require_scorer,
    scoring_members,
)
from valutazione.services.conflicts import EXCLUDED_OUTCOMES, conflicted_members, require_not_in_conflict
from valutazione.services.rules import lock_rules

DRAFT = "bozza"
SUBMITTED = "inviata"


@dataclass(frozen=True)
class Mark:
    """What a member writes for one sub-criterion; ``value`` None means not given yet."""

    value: Decimal | None
    motivazione: str = ""


@dataclass(frozen=True)
class SheetView:
    """A sheet as shown on screen: no live ORM object crosses to the GUI thread."""

    member: str
    protocol: str
    state: str
    revision: int
    submitted_at: datetime | None
    content_hash: str | None
    marks: tuple[tuple[str, Mark], ...]

    def mark(self, sub_code: str) -> Mark | None:
        return dict(self.marks).get(sub_code)


def _gate(s: Session, member_id: int, domanda_id: int) -> tuple[Commissario, Domanda]:
    """Checks for reading or writing one's own sheet: declared, scorer, not in conflict, admissible."""
    m = require_declared(s, member_id)
    require_scorer(m)
    require_not_in_conflict(s, member_id, domanda_id)
    d = lookup.domanda(s, domanda_id)
    a = decision(s, domanda_id)
    if a is not None and a.outcome in EXCLUDED_OUTCOMES:
        raise RuleViolation(f"La domanda {d.protocol} è stata esclusa ({a.reason}): non si valuta nel merito.")
    return m, d


def _sheet(s: Session, member_id: int, domanda_id: int) -> Scheda | None:
    query = (
        select(Scheda)
        .options(selectinload(Scheda.voti))
        .where(Scheda.commissario_id == member_id, Scheda.domanda_id == domanda_id)
    )
    return s.scalars(query).first()


def _view(m: Commissario, d: Domanda, sheet: Scheda | None) -> SheetView:
    if sheet is None:
        return SheetView(m.name, d.protocol, DRAFT, 0, None, None, ())
    marks = tuple((v.sub_code, Mark(v.value, v.motivazione)) for v in sorted(sheet.voti, key=lambda v: v.sub_code))
    return SheetView(m.name, d.protocol, sheet.state, sheet.revision, sheet.submitted_at, sheet.content_hash, marks)


def own_sheet(s: Session, member_id: int, domanda_id: int) -> SheetView:
    m, d = _gate(s, member_id, domanda_id)
    return _view(m, d, _sheet(s, member_id, domanda_id))


class ConcurrentEditError(RuleViolation):
    """The sheet changed after it was read (another session of the same member): nothing was saved."""

    def __init__(self, member: str, protocol: str) -> None:
        super().__init__(
            f"La scheda è stata modificata nel frattempo da un'altra sessione ({member}, domanda {protocol}): "
            "le modifiche non sono state salvate. Riaprire la scheda e ripeterle."
        )


def _flush_sheet(s: Session, member: str, protocol: str) -> None:
    """Writes the sheet with its revision check (``Scheda``'s version column): lost to a concurrent edit,
    the transaction must be rolled back and the member told, never a silent overwrite."""
    try:
        s.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(member, protocol) from exc


def save_draft(
    s: Session,
    member_id: int,
    domanda_id: int,
    marks: Mapping[str, Mark],
    *,
    expected_revision: int | None = None,
) -> Scheda:
    """The autosave path: validates the given values, upserts them, bumps ``revision``.

    Only the sub-criteria passed are touched; a draft may be incomplete. Drafts are the member's
    private work and are not audited one keystroke at a time: the submission records the whole content.
    ``expected_revision`` is the revision the form was loaded with (``SheetView.revision``): a sheet saved
    since by another session is refused rather than overwritten.
    """
    m, d = _gate(s, member_id, domanda_id)
    bando = lookup.rules(s)
    for code, mark in marks.items():
        if mark.value is not None:
            validate_value(bando, code, mark.value)
    sheet = _sheet(s, member_id, domanda_id)
    if expected_revision is not None and expected_revision != (0 if sheet is None else sheet.revision):
        raise ConcurrentEditError(m.name, d.protocol)
    first = sheet is None
    if sheet is None:
        sheet = Scheda(commissario_id=member_id, domanda_id=domanda_id, state=DRAFT, revision=0, voti=[])
        s.add(sheet)
    elif sheet.state == SUBMITTED:
        d = lookup.domanda(s, domanda_id)
        raise RuleViolation(
            f"La scheda di {lookup.member(s, member_id).name} sulla domanda {d.protocol} è già "
            "stata inviata: può essere modificata solo dopo una riapertura del presidente."
        )
    by_code = {v.sub_code: v for v in sheet.voti}
    for code, mark in marks.items():
        row = by_code.get(code)
        if row is None:
            sheet.voti.append(Voto(sub_code=code, value=mark.value, motivazione=mark.motivazione.strip()))
        else:
            row.value, row.motivazione = mark.value, mark.motivazione.strip()
    sheet.revision += 1
    sheet.updated_at = utcnow()
    _flush_sheet(s, m.name, d.protocol)
    if first:
        # After the sheet, as every writer on a server locks: sheets first, then the call's row (which
        # holds the log's head), so an approval holding the sheets never waits in a circle with a member.
        lock_rules(s, m.name)
    return sheet


def missing_items(bando: Bando, sheet: Scheda | None) -> list[str]:
    """What still prevents submitting: sub-criteria without a value or (if required) a motivazione."""
    voti = sheet.voti if sheet is not None else []
    return missing_marks(bando, {v.sub_code: Mark(v.value, v.motivazione) for v in voti})


def missing_marks(bando: Bando, marks: Mapping[str, Mark]) -> list[str]:
    """``missing_items`` for marks not yet saved: the form says what is missing while the member types."""
    missing = []
    for sub in bando.subcriteria:
        if bando.criterion_of(sub.code).pairwise is not None:  # entered as comparisons, not on the sheet
            continue
        mark = marks.get(sub.code)
        if mark is None or mark.value is None:
            missing.append(f"{sub.code}: valore mancante")
        elif bando.justification_required and not mark.motivazione.strip():
            missing.append(f"{sub.code}: motivazione mancante")
    return missing


def content_of(bando: Bando, m: Commissario, d: Domanda, sheet: Scheda) -> dict[str, object]:
    """The canonical content that the submission hash covers."""
    return marks_content(bando.code, m.name, d.protocol, ((v.sub_code, v.value, v.motivazione) for v in sheet.voti))


def marks_content(
    bando_code: str, member: str, protocol: str, marks: Iterable[tuple[str, Decimal | None, str]]
) -> dict[str, object]:
    """``content_of`` from plain (sub-criterion, value, motivazione) marks: the merge hashes thousands of
    returned sheets without building an ORM sheet for each, and one definition keeps the hashes equal."""
    return {
        "bando": bando_code,
        "commissario": member,
        "protocollo": protocol,
        "voti": [
            {"sottocriterio": code, "valore": None if value is None else str(value), "motivazione": why}
            for code, value, why in sorted(marks, key=lambda mark: mark[0])
        ],
    }


def content_hash(content: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def submit(s: Session, member_id: int, domanda_id: int) -> Scheda:
    """Locks a complete sheet: state *inviata*, timestamp, SHA-256 of its canonical content, audited."""
    m, d = _gate(s, member_id, domanda_id)
    bando = lookup.rules(s)
    sheet = _sheet(s, member_id, domanda_id)
    if sheet is not None and sheet.state == SUBMITTED:
        raise RuleViolation(f"La scheda di {m.name} sulla domanda {d.protocol} è già stata inviata.")
    missing = missing_items(bando, sheet)
    if sheet is None or missing:
        raise RuleViolation(f"La scheda di {m.name} sulla domanda {d.protocol} è incompleta: {'; '.join(missing)}.")
    for v in sheet.voti:
        if v.value is not None:
            validate_value(bando, v.sub_code, v.value)
    content = content_of(bando, m, d, sheet)
    sheet.state, sheet.submitted_at, sheet.content_hash = SUBMITTED, utcnow(), content_hash(content)
    sheet.revision += 1
    _flush_sheet(s, m.name, d.protocol)
    audit.record(s, m.name, "scheda.inviata", "scheda", sheet.id, None, {**content, "hash": sheet.content_hash})
    return sheet


def reopen(s: Session, member_id: int, domanda_id: int, chair_id: int, reason: str) -> Scheda:
    """Makes a submitted sheet editable again: the presidente only, with a reason, audited."""
    chair = lookup.member(s, chair_id)
    if chair.role != PRESIDENTE:
        raise RuleViolation(f"Solo il presidente può riaprire una scheda inviata ({chair.name} è {chair.role}).")
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Indicare il motivo della riapertura della scheda: è obbligatorio.")
    m, d = lookup.member(s, member_id), lookup.domanda(s, domanda_id)
    sheet = _sheet(s, member_id, domanda_id)
    if sheet is None or sheet.state != SUBMITTED:
        raise RuleViolation(f"La scheda di {m.name} sulla domanda {d.protocol} non è stata inviata: nulla da riaprire.")
    before = {"stato": sheet.state, "inviata": sheet.submitted_at, "hash": sheet.content_hash}
    # The log first: on a server the sheet's trigger lets a submitted sheet change only in a transaction
    # whose log already holds its reopening by the chair, with the reason (docs/politiche-server.md).
    audit.record(
        s,
        chair.name,
        "scheda.riaperta",
        "scheda",
        sheet.id,
        before,
        {"stato": DRAFT, "commissario": m.name, "protocollo": d.protocol, "motivo": reason},
    )
    sheet.state, sheet.submitted_at, sheet.content_hash = DRAFT, None, None
    sheet.revision += 1
    sheet.updated_at = utcnow()
    _flush_sheet(s, m.name, d.protocol)
    return sheet


def other_sheets_visible(s: Session, viewer_id: int, domanda_id: int) -> bool:
    """Whether the viewer may see the other members' scores on this application.

    A scorer only after submitting their own sheet (and never when in conflict); the secretary, who
    does not score, only once every expected sheet is in, so nothing can leak to a member still judging.
    """
    viewer = lookup.member(s, viewer_id)
    conflicted = conflicted_members(s, domanda_id)
    if viewer_id in conflicted:
        return False
    if viewer.role in SCORING_ROLES:
        sheet = _sheet(s, viewer_id, domanda_id)
        return sheet is not None and sheet.state == SUBMITTED
    expected = {m.id for m in scoring_members(s)} - conflicted
    submitted = set(
        s.scalars(select(Scheda.commissario_id).where(Scheda.domanda_id == domanda_id, Scheda.state == SUBMITTED))
    )
    return expected <= submitted


def other_sheets(s: Session, viewer_id: int, domanda_id: int) -> list[SheetView]:
    """The other members' submitted sheets on one application; refused before one's own submission."""
    viewer = require_declared(s, viewer_id)
    d = lookup.domanda(s, domanda_id)
    if not other_sheets_visible(s, viewer_id, domanda_id):
        raise RuleViolation(
            f"{viewer.name} non può vedere le valutazioni degli altri commissari sulla domanda "
            f"{d.protocol} prima di aver inviato la propria scheda."
        )
    conflicted = conflicted_members(s, domanda_id)
    query = (
        select(Scheda)
        .options(selectinload(Scheda.voti))
        .where(Scheda.domanda_id == domanda_id, Scheda.state == SUBMITTED, Scheda.commissario_id != viewer_id)
    )
    views = []
    for sheet in s.scalars(query):
        if sheet.commissario_id not in conflicted:
            views.append(_view(lookup.member(s, sheet.commissario_id), d, sheet))
    return sorted(views, key=lambda v: v.member)


def visible_protocols(s: Session, viewer_id: int) -> list[str]:
    """The protocols on which ``viewer_id`` may see the other members' sheets, in protocol order.

    Refuses (with the rule, in Italian) when there is none yet, rather than exporting an empty document.
    """
    domande = list(s.scalars(select(Domanda).order_by(Domanda.protocol)))
    visible = [d.protocol for d in domande if other_sheets_visible(s, viewer_id, d.id)]
    if not visible:
        if not domande:
            raise NotFoundError("Nessuna domanda nel file.")
        other_sheets(s, viewer_id, domande[0].id)  # raises RuleViolation with the rule in Italian
    return visible


def _drafts(s: Session, member_id: int, *, scored: bool) -> list[Scheda]:
    """The member's drafts on applications they still score (``scored``), or on the others.

    An application leaves a member's list when they declare a conflict on it or it is excluded; a
    draft written before stays in the file (it is their work, and the log of what happened) but is set
    aside: never submitted, never counted as pending, so it never blocks their other sheets.
    """
    excluded = select(Ammissibilita.domanda_id).where(Ammissibilita.outcome.in_(EXCLUDED_OUTCOMES))
    conflicted = select(Conflitto.domanda_id).where(
        Conflitto.commissario_id == member_id, Conflitto.has_conflict.is_(True)
    )
    aside = Scheda.domanda_id.in_(excluded) | Scheda.domanda_id.in_(conflicted)
    query = (
        select(Scheda)
        .options(selectinload(Scheda.voti))
        .where(Scheda.commissario_id == member_id, Scheda.state == DRAFT, ~aside if scored else aside)
        .order_by(Scheda.domanda_id)
    )
    return list(s.scalars(query))


def ready_drafts(s: Session, member_id: int) -> list[Scheda]:
    """The member's drafts that can be submitted now: complete, on an application they still score."""
    bando = lookup.rules(s)
    return [sheet for sheet in _drafts(s, member_id, scored=True) if not missing_items(bando, sheet)]


def set_aside_drafts(s: Session, member_id: int) -> list[str]:
    """Protocols of the member's drafts on applications since declared in conflict or excluded."""
    return sorted(lookup.domanda(s, sheet.domanda_id).protocol for sheet in _drafts(s, member_id, scored=False))


def submit_all_complete(s: Session, member_id: int) -> list[str]:
    """Submits every complete draft of a member (headless runs, paper sheets typed in); returns protocols.

    Drafts set aside (``_drafts``) are left as they are: one of them used to make the whole submission fail.
    """
    done = []
    for sheet in ready_drafts(s, member_id):
        submit(s, member_id, sheet.domanda_id)
        done.append(lookup.domanda(s, sheet.domanda_id).protocol)
    return sorted(done)
