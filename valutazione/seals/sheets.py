"""The seal of a submitted sheet: its content hash, recomputed from the stored marks, and logged at sending.

Three things must agree for every submitted sheet: the hash recomputed now from the member, the
application and every mark and motivation; the hash stored on the sheet; and the hash the log recorded
when it was sent (``scheda.inviata``, which also keeps the whole content). A mark edited underneath, a
hash rewritten to match, a sheet inserted as «inviata» without being sent, or a sent sheet turned back
into a draft without the chair's logged reopening: each breaks one of the three.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from valutazione.audit import canonical_json
from valutazione.models import AuditRow, Commissario, Domanda, Scheda, Voto
from valutazione.seals.report import BrokenSeal, when_it
from valutazione.seals.rows import streamed_rows

SENT, REOPENED = "scheda.inviata", "scheda.riaperta"
_LOGGED_HASH = re.compile(r'"hash":"([0-9a-f]{64})"')


@dataclass
class SheetFacts:
    """What the sheet check learned, kept for the check of approved versions (same marks, no second read)."""

    # content hash -> the marks of a sheet that matches it, flat: [sub-criterion, mark as text, ...]
    mark_texts: dict[str, list[str]] = field(default_factory=dict)
    marks_by_hash: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # the same, as numbers, when asked
    logged_by_hash: dict[str, int] = field(default_factory=dict)  # content hash -> audit row that sent it
    # content hash -> marks read back from the log row that sent it, and the SHA-256 of that row's text
    logged_marks: dict[str, tuple[dict[str, Decimal], str]] = field(default_factory=dict)


def _quoted(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


Fragments = dict[tuple[str, str | None], str]  # (sub-criterion, mark) -> the end of a mark's JSON object


def sheet_text(
    bando_code: str,
    member: str,
    protocol: str,
    marks: Sequence[tuple[str, str | None, str | None]],
    fragments: Fragments | None = None,
) -> str:
    """``canonical_json`` of a sheet's content, spelled out: the verification hashes every submitted sheet.

    Keys in sorted order, strings JSON-quoted, no spaces: the same text the general encoder writes (a
    test compares them on hostile strings); a value of another type (something stored underneath) takes
    the general encoder, so it hashes as it always did. ``fragments`` keeps the text after each mark's
    motivation per (sub-criterion, mark), which a call's thousands of sheets repeat; only a string
    sub-criterion is looked up there (a number written underneath may equal another: ``1 == True``).
    """
    try:
        if fragments is None:
            fragments = {}
        parts = []
        for c, v, m in marks:
            tail = fragments.get((c, v)) if type(c) is str else None  # 1 == True: only strings look up
            if tail is None:
                tail = ',"sottocriterio":' + encode_basestring(c) + ',"valore":' + _quoted(v) + "}"
                fragments[(c, v)] = tail
            parts.append('{"motivazione":' + ("null" if m is None else encode_basestring(m)) + tail)
        return (
            '{"bando":'
            + encode_basestring(bando_code)
            + ',"commissario":'
            + encode_basestring(member)
            + ',"protocollo":'
            + encode_basestring(protocol)
            + ',"voti":['
            + ",".join(parts)
            + "]}"
        )
    except TypeError:
        content = {
            "bando": bando_code,
            "commissario": member,
            "protocollo": protocol,
            "voti": [{"sottocriterio": c, "valore": v, "motivazione": m} for c, v, m in marks],
        }
        return canonical_json(content)


Events = dict[int, tuple[str, str | None, int, datetime]]  # sheet id -> (action, hash sent, audit id, when)


def sheet_event(
    out: Events, logged_by_hash: dict[str, int], audit_id: int, action: str, entity_id: str, after: str, at: datetime
) -> None:
    """One send or reopening read from the log: the sheet's latest event, and the audit row of a hash sent."""
    if not entity_id:
        return
    found = _LOGGED_HASH.search(after) if action == SENT else None
    out[int(entity_id)] = (action, found.group(1) if found else None, audit_id, at)
    if found:
        logged_by_hash[found.group(1)] = audit_id


def _logged_events(session: Session, facts: SheetFacts) -> Events:
    """Latest send or reopening of every sheet: (action, hash sent, audit id, when); every send into ``facts``."""
    out: Events = {}
    query = (
        select(AuditRow.id, AuditRow.action, AuditRow.entity_id, AuditRow.after_json, AuditRow.at)
        .where(AuditRow.entity == "scheda", AuditRow.action.in_((SENT, REOPENED)))
        .order_by(AuditRow.id)
    )
    for audit_id, action, entity_id, after, at in session.execute(query):
        sheet_event(out, facts.logged_by_hash, audit_id, action, entity_id, after, at)
    return out


def check_sheets(
    session: Session,
    bando_code: str,
    is_package: bool,
    facts: SheetFacts,
    tick: Callable[[int], None],
    events: Events | None = None,
) -> list[BrokenSeal]:
    """Every submitted sheet recomputed and compared with its stored and its logged hash.

    ``events``: the sheets' sends and reopenings already read with the chain (``seals.logscan``), with
    ``facts.logged_by_hash`` filled from them; else they are read from the log here. On SQLite the
    sheets' texts are spelled by the database (``seals.sheets_sqlite``), each sheet it cannot vouch for
    recomputed here as everywhere else.
    """
    names = dict(session.execute(select(Commissario.id, Commissario.name)).all())
    protocols = dict(session.execute(select(Domanda.id, Domanda.protocol)).all())
    if events is None:
        events = _logged_events(session, facts)
    judge = SheetJudge(session, bando_code, is_package, names, protocols, events)
    if session.get_bind().dialect.name == "sqlite":
        from valutazione.seals.sheets_sqlite import check_all

        if check_all(judge, tick) is None:  # SQLite could not spell some mark: every sheet read again here
            judge = SheetJudge(session, bando_code, is_package, names, protocols, events)
            check_each(judge, tick)
    else:
        check_each(judge, tick)
    facts.mark_texts.update(judge.mark_texts)
    return judge.broken


def check_each(judge: SheetJudge, tick: Callable[[int], None]) -> None:
    """Every sheet read with its marks and judged, as on any database."""
    connection = judge.session.connection()
    sheets = select(
        Scheda.id, Scheda.commissario_id, Scheda.domanda_id, Scheda.state, Scheda.submitted_at, Scheda.content_hash
    ).order_by(Scheda.id)
    marks = _marks_by_sheet(streamed_rows(connection, _mark_rows()))
    next(marks)  # started: from now on it answers each sheet id sent
    done = 0
    for sheet_id, member_id, domanda_id, state, submitted_at, stored in connection.execute(sheets).all():
        done += 1
        if done % 2000 == 0:
            tick(2000)
        rows = marks.send(sheet_id)
        if state != "inviata":
            judge.draft(sheet_id, member_id, domanda_id)
        else:
            judge.sent(sheet_id, member_id, domanda_id, stored, rows, submitted_at)
    tick(done % 2000)


def _mark_rows(sheet_id: int | None = None) -> Select[int, str, str, str]:
    """The submitted sheets' marks (of one sheet, or all), in sheet and sub-criterion order."""
    query = (
        select(Voto.scheda_id, Voto.sub_code, type_coerce(Voto.value, String), Voto.motivazione)
        .join(Scheda, Scheda.id == Voto.scheda_id)
        .where(Scheda.state == "inviata")
        .order_by(Voto.scheda_id, Voto.sub_code)
    )
    return query if sheet_id is None else query.where(Voto.scheda_id == sheet_id)


class SheetJudge:
    """The verdict on each sheet, whoever read it: the broken seals found, the marks of the sheets that hold."""

    def __init__(
        self,
        session: Session,
        bando_code: str,
        is_package: bool,
        names: dict[int, str],
        protocols: dict[int, str],
        events: Events,
    ) -> None:
        self.session = session
        self.bando_code = bando_code
        self.is_package = is_package
        self.names = names
        self.protocols = protocols
        self.events = events
        self.broken: list[BrokenSeal] = []
        self.mark_texts: dict[str, list[str]] = {}  # content hash -> flat marks, for ``SheetFacts``
        self._fragments: Fragments = {}

    def _who(self, member_id: int, domanda_id: int) -> str:
        return f"Scheda di {self.names.get(member_id, '?')} su {self.protocols.get(domanda_id, '?')}"

    def draft(self, sheet_id: int, member_id: int, domanda_id: int) -> None:
        """A sheet not submitted: broken if the log says it was sent and never reopened."""
        logged = self.events.get(sheet_id)
        if logged is not None and logged[0] == SENT:
            message = f"risulta in bozza, ma il registro la dà inviata e mai riaperta (invio del {when_it(logged[3])})"
            self.broken.append(BrokenSeal("scheda", self._who(member_id, domanda_id), message))

    def sent(
        self, sheet_id: int, member_id: int, domanda_id: int, stored: str | None, rows: Marks, submitted_at: Any
    ) -> None:
        """A submitted sheet, its marks ``rows`` as read: its content hash recomputed, then ``holds``."""
        text = sheet_text(
            self.bando_code,
            self.names.get(member_id, ""),
            self.protocols.get(domanda_id, ""),
            rows,
            self._fragments,
        )
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != stored:
            sent = f"dell'invio del {when_it(submitted_at)}" if submitted_at is not None else "dell'invio"
            message = f"i voti non corrispondono all'impronta {sent}"
            self.broken.append(BrokenSeal("scheda", self._who(member_id, domanda_id), message))
            return
        self.holds(sheet_id, member_id, domanda_id, stored, [x for c, v, _m in rows if v is not None for x in (c, v)])

    def holds(self, sheet_id: int, member_id: int, domanda_id: int, stored: str, flat: list[str]) -> None:
        """A submitted sheet whose content hash is the stored one: compared with its logged send."""
        logged = self.events.get(sheet_id)
        message = None
        if logged is None:
            if not self.is_package:
                message = "risulta inviata, ma il suo invio non è nel registro"
        elif logged[0] != SENT:
            message = "risulta inviata, ma il registro la dà riaperta e non più inviata"
        elif logged[1] != stored:
            message = f"l'impronta non corrisponde a quella registrata all'invio del {when_it(logged[3])}"
        if message is not None:
            self.broken.append(BrokenSeal("scheda", self._who(member_id, domanda_id), message))
            if logged is not None:
                return
        self.mark_texts[stored] = flat

    def recheck(self, sheet_id: int, member_id: int, domanda_id: int, stored: str | None) -> None:
        """A submitted sheet read again with its marks, as on any database, and judged by ``sent``."""
        connection = self.session.connection()
        marks = _marks_by_sheet(streamed_rows(connection, _mark_rows(sheet_id)))
        next(marks)
        submitted_at = connection.execute(select(Scheda.submitted_at).where(Scheda.id == sheet_id)).scalar()
        self.sent(sheet_id, member_id, domanda_id, stored, marks.send(sheet_id), submitted_at)


Marks = list[tuple[str, str | None, str]]  # a sheet's (sub-criterion, canonical mark, justification)


def _marks_by_sheet(chunks: Iterator[Sequence[Sequence[Any]]]) -> Generator[Marks, int, None]:
    """The submitted sheets' marks, streamed in sheet order: sent a sheet id (ascending), it answers that
    sheet's marks, holding one chunk of rows and one sheet at a time instead of every justification of
    the file. Each mark's value is spelled canonically once per distinct text."""
    canonical: dict[str, str] = {}
    rows = (row for chunk in chunks for row in chunk)
    pending = next(rows, None)
    wanted = yield []
    while True:
        while pending is not None and pending[0] < wanted:  # marks of no listed sheet: none, ids agree
            pending = next(rows, None)
        found: Marks = []
        while pending is not None and pending[0] == wanted:
            _, code, text, why = pending
            value = None if text is None else canonical.get(text)
            if value is None and text is not None:
                value = canonical[text] = str(Decimal(text))
            found.append((code, value, why))
            pending = next(rows, None)
        wanted = yield found
