"""Merging a member's signed return into the chair's file: all of it in one transaction, or nothing.

Checks come first and refuse the whole return, leaving the file untouched: a readable zip, the
signature against the key recorded for the member (the first return pins it only when the chair has
confirmed the fingerprint), the same call and file, a known package not superseded by a newer one,
valid marks, hashes that match, and no attempt to replace a submitted sheet. Then the newest version
of every item wins (revision, then ``updated_at``), so the same return imported twice, or two returns
imported out of order, leave the newest data. A submitted sheet is locked: only the chair's reopening
(which makes it a draft again, at a higher revision) lets a later return change it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione import audit, collector
from valutazione.models import AuditRow, Commissario, Pacchetto
from valutazione.seals import require_intact
from valutazione.seals.signatures import keep_signed_return
from valutazione.services import lookup
from valutazione.services.committee import declaration, declare_general
from valutazione.services.conflicts import EXCLUDED_OUTCOMES
from valutazione.services.sheets import SUBMITTED
from valutazione.sync.archive import PackageError
from valutazione.sync.keys import fingerprint, same_fingerprint, verify
from valutazione.sync.merge_rows import App, Changes, Known
from valutazione.sync.package import EXPORTED_ACTION, OUTGOING, RETURNING, require_master
from valutazione.sync.returned_sheet import check_sheet
from valutazione.sync.returns import ReturnedConflict, ReturnedSheet, SignedReturn, read_return

MERGED_ACTION = "pacchetto.ritorno.importato"
Progress = Callable[[int, int], None]


@dataclass
class MergeReport:
    """What the merge did, one Italian line per change, for the screen and the minutes."""

    member: str
    sequence: int
    lines: list[str] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0
    already_merged: bool = False
    key_pinned: bool = False
    key_fingerprint: str = ""

    def text(self) -> str:
        head = f"Ritorno di {self.member} (pacchetto n. {self.sequence}): "
        key = f" Firmato con la chiave «{self.key_fingerprint}»." if self.key_fingerprint else ""
        if self.already_merged:
            return head + "già importato, nessuna modifica." + key
        summary = f"{self.changed} modifiche, {self.unchanged} elementi già aggiornati." + key
        return "\n".join([head + summary, *self.lines])


def merge_return(
    s: Session,
    path: Path,
    trusted_key: str | None = None,
    progress: Progress | None = None,
    *,
    passphrase: str | None = None,
) -> MergeReport:
    """Merges the return at ``path`` in the caller's transaction; raises (and changes nothing) on refusal.

    ``trusted_key`` is the fingerprint of the key the chair confirmed with the member (``keys.fingerprint``):
    a member's first return pins its key only if the key is that one. The fingerprint, not a yes, because
    the file is read again here: a return swapped on a shared folder after the chair compared the
    fingerprint shown would otherwise pin the swapper's key for that member, for good.

    A sealed return is opened with ``passphrase`` before any check; the signature inside is checked as usual.
    """
    with collector.paused():
        return _merge(s, path, trusted_key, progress, passphrase)


def _require_owner_on_server(s: Session, path: Path) -> None:
    """On a committee server a return is merged by the database's owner, not through a member's login.

    A return writes one member's sheets, declarations and log rows; the server's rules let each login
    write only its own drafts, so a member's (the chair's too) would be stopped half-way by the database
    with an English error. Refused first, in Italian, with nothing written.
    """
    from valutazione.server.roles import connected_member  # only a server has logins

    who = connected_member(s)
    if who is not None:
        raise _refuse(
            path,
            f"sul server della commissione i ritorni si uniscono collegati come proprietario del database, non con "
            f"l'accesso di {who}: le regole del server lasciano a ciascun componente solo le proprie bozze",
        )


def _merge(
    s: Session, path: Path, trusted_key: str | None, progress: Progress | None, passphrase: str | None
) -> MergeReport:
    require_master(s)
    _require_owner_on_server(s, path)
    require_intact(s)  # nothing goes out of, or into, a file whose seals are broken
    ret = read_return(path, passphrase)
    m = _check_origin(s, path, ret)
    report = MergeReport(m.name, ret.sequence)
    report.key_pinned = _check_signature(s, path, ret, m, trusted_key)
    report.key_fingerprint = fingerprint(ret.public_key)
    _check_sequence(s, path, ret, m)
    if (
        s.scalars(
            select(AuditRow.id).where(AuditRow.action == MERGED_ACTION, AuditRow.entity_id == ret.payload_sha256)
        ).first()
        is not None
    ):
        report.already_merged = True  # its key was pinned by the first import, so nothing was written
        return report
    older = _is_older(s, ret, m)
    _check_scope(s, path, ret, m)
    _check_times(path, ret)
    known = Known.load(s, m, [sh.protocol for sh in ret.sheets] + [c.protocol for c in ret.conflicts])
    plan = [(known.domanda(sh.protocol), sh) for sh in ret.sheets]
    conflicts = [(known.domanda(c.protocol), c) for c in ret.conflicts]
    _check_conflicts(path, known, m, conflicts, plan)
    contents = [check_sheet(known, m, d, sh) for d, sh in plan]
    total = 1 + len(conflicts) + len(plan)
    _merge_declaration(s, m, ret, report)
    changes = Changes(m, ret.sequence)
    for i, (d, c) in enumerate(conflicts, start=2):
        _merge_conflict(s, known, changes, d, c, report)
        if progress:
            progress(i, total)
    for i, ((d, sh), content) in enumerate(zip(plan, contents, strict=True), start=2 + len(conflicts)):
        _merge_sheet(s, known, changes, d, sh, content, report)
        if progress:
            progress(i, total)
    changes.write(s)
    _record(s, m, ret, report, older)
    return report


def _refuse(path: Path, why: str) -> PackageError:
    return PackageError(f"Ritorno «{path.name}» rifiutato: {why}. Il file del presidente non è stato modificato.")


def _check_origin(s: Session, path: Path, ret: SignedReturn) -> Commissario:
    row = lookup.bando_row(s)
    if ret.bando_code != row.code:
        raise _refuse(path, f"appartiene al bando {ret.bando_code}, non al bando {row.code} di questo file")
    if ret.file_uuid != row.file_uuid:
        raise _refuse(path, "proviene da un pacchetto esportato da un altro file del presidente")
    m = s.scalars(select(Commissario).where(Commissario.name == ret.member_name)).first()
    if m is None or m.id != ret.member_id:
        raise _refuse(path, f"il commissario «{ret.member_name}» non fa parte di questa commissione")
    return m


def _check_signature(s: Session, path: Path, ret: SignedReturn, m: Commissario, trusted_key: str | None) -> bool:
    """Verifies the signature; pins the key on the first return, if it is the one the chair confirmed.

    True when pinned now.
    """
    shown = fingerprint(ret.public_key)
    if m.public_key is None:
        if trusted_key is None or not trusted_key.strip():
            raise _refuse(
                path,
                f"nessuna chiave registrata per {m.name}; verificare con il commissario che "
                f"l'impronta della sua chiave sia «{shown}» e ripetere confermando quell'impronta",
            )
        if not same_fingerprint(trusted_key, shown):
            raise _refuse(
                path,
                f"è firmato con la chiave di impronta «{shown}», non con quella confermata per {m.name} "
                f"(«{trusted_key.strip()}»): il file non è quello verificato con il commissario, nessuna "
                "chiave registrata",
            )
        if not verify(ret.public_key, ret.payload, ret.signature):
            raise _refuse(path, "la firma non è valida: il file è stato alterato dopo la firma")
        holder = s.scalars(
            select(Commissario).where(Commissario.public_key == ret.public_key, Commissario.id != m.id)
        ).first()
        if holder is not None:  # one key per member: B's return signed with A's key is A speaking for B
            raise _refuse(
                path,
                f"è firmato con la chiave già registrata per {holder.name} («{shown}»), non con una chiave di "
                f"{m.name}: ogni commissario firma con la propria",
            )
        m.public_key = ret.public_key
        s.flush()
        audit.record(
            s,
            _chair_actor(s),
            "commissario.chiave_registrata",
            "commissario",
            m.id,
            None,
            {"commissario": m.name, "impronta": shown},
        )
        return True
    if ret.public_key != m.public_key:
        raise _refuse(
            path,
            f"è firmato con una chiave diversa da quella registrata per {m.name} "
            f"(registrata «{fingerprint(m.public_key)}», del ritorno «{shown}»)",
        )
    if not verify(m.public_key, ret.payload, ret.signature):
        raise _refuse(path, "la firma non è valida: il file è stato alterato dopo la firma")
    return False


def _check_sequence(s: Session, path: Path, ret: SignedReturn, m: Commissario) -> None:
    sent = s.scalars(
        select(Pacchetto).where(
            Pacchetto.commissario_id == m.id, Pacchetto.direction == OUTGOING, Pacchetto.sequence == ret.sequence
        )
    ).first()
    if sent is None or sent.content_sha256 != ret.package_sha256:
        raise _refuse(path, f"risponde a un pacchetto n. {ret.sequence} che questo file non ha esportato per {m.name}")
    newest = s.scalar(
        select(func.max(Pacchetto.sequence)).where(Pacchetto.commissario_id == m.id, Pacchetto.direction == RETURNING)
    )
    if newest is not None and ret.sequence < newest:
        raise _refuse(
            path,
            f"risponde al pacchetto n. {ret.sequence}, ma è già stato importato un ritorno del "
            f"pacchetto n. {newest}, più recente",
        )


CLOCK_TOLERANCE = timedelta(minutes=10)  # laptops' clocks drift; a return from the future does not


def _check_times(path: Path, ret: SignedReturn) -> None:
    """No date in a return may come after the merge: a sheet «sent» in 2030 was not sent."""
    limit = datetime.now(UTC) + CLOCK_TOLERANCE
    dates = [ret.created_at] + [c.declared_at for c in ret.conflicts]
    dates += [d for sh in ret.sheets for d in (sh.updated_at, sh.submitted_at) if d is not None]
    if ret.declaration is not None:
        dates.append(ret.declaration.declared_at)
    future = [d for d in dates if d > limit]
    if future:
        raise _refuse(
            path, f"riporta date future (per esempio {max(future):%d/%m/%Y %H:%M}): l'orologio o il file è alterato"
        )


def _check_scope(s: Session, path: Path, ret: SignedReturn, m: Commissario) -> None:
    """A return answers its package: only the applications that package gave the member."""
    held: set[str] | None = None
    for (after,) in s.execute(
        select(AuditRow.after_json).where(
            AuditRow.action == EXPORTED_ACTION, AuditRow.entity == "commissario", AuditRow.entity_id == str(m.id)
        )
    ):
        content = json.loads(after)
        if content.get("sequenza") == ret.sequence:  # the package itself was matched by _check_sequence
            held = set(content.get("domande", []))
    if held is None:
        raise _refuse(path, f"il pacchetto n. {ret.sequence} di {m.name} non risulta esportato da questo file")
    extra = sorted(({sh.protocol for sh in ret.sheets} | {c.protocol for c in ret.conflicts}) - held)
    if extra:
        raise _refuse(
            path,
            f"riguarda domande che il pacchetto di {m.name} non conteneva ({', '.join(extra[:5])}): "
            "un commissario valuta solo ciò che il presidente gli ha consegnato",
        )


def _is_older(s: Session, ret: SignedReturn, m: Commissario) -> bool:
    """Whether a newer return of the same package was already merged: its record must not go back."""
    for (after,) in s.execute(select(AuditRow.after_json).where(AuditRow.action == MERGED_ACTION)):
        content = json.loads(after)
        if content.get("commissario") != m.name or content.get("sequenza") != ret.sequence:
            continue
        merged = content.get("creato")
        if merged is not None and datetime.fromisoformat(merged) > ret.created_at:
            return True
    return False


def _check_conflicts(
    path: Path,
    known: Known,
    m: Commissario,
    conflicts: list[tuple[App, ReturnedConflict]],
    plan: list[tuple[App, ReturnedSheet]],
) -> None:
    """A recorded conflict is lifted only by the chair, with a reason; never by the member's return."""
    for d, c in conflicts:
        row = known.conflicts.get(d.id)
        if row is not None and row.has_conflict and not c.has_conflict:
            raise _refuse(
                path,
                f"dichiara l'assenza di conflitti sulla domanda {d.protocol}, su cui è registrato un conflitto di "
                f"{m.name}: solo il presidente può revocarlo, con un motivo",
            )
    in_conflict = {d.id for d, c in conflicts if c.has_conflict}
    in_conflict |= {did for did, row in known.conflicts.items() if row.has_conflict}
    for d, sh in plan:
        if d.id in in_conflict and sh.state == SUBMITTED:
            raise _refuse(
                path, f"contiene una scheda inviata sulla domanda {d.protocol}, su cui {m.name} è in conflitto"
            )


def _merge_declaration(s: Session, m: Commissario, ret: SignedReturn, report: MergeReport) -> None:
    if ret.declaration is None:
        return
    if declaration(s, m.id) is not None:
        report.unchanged += 1
        return
    declare_general(s, m.id, ret.declaration.text, at=ret.declaration.declared_at)
    report.changed += 1
    report.lines.append(f"Dichiarazione generale di {m.name} registrata.")


def _merge_conflict(
    s: Session, known: Known, changes: Changes, d: App, c: ReturnedConflict, report: MergeReport
) -> None:
    m = changes.member
    row = known.conflicts.get(d.id)
    if row is not None and (
        row.declared_at >= c.declared_at or (row.has_conflict, row.reason) == (c.has_conflict, c.reason.strip())
    ):
        report.unchanged += 1
        return
    changes.conflict(s, known, d, c)
    report.changed += 1
    if c.has_conflict:
        report.lines.append(
            f"Domanda {d.protocol}: {m.name} dichiara un conflitto di interessi e si astiene ({c.reason.strip()})."
        )
    else:
        report.lines.append(f"Domanda {d.protocol}: {m.name} dichiara l'assenza di conflitti di interessi.")


def _merge_sheet(
    s: Session,
    known: Known,
    changes: Changes,
    d: App,
    sh: ReturnedSheet,
    content: dict[str, str] | None,
    report: MergeReport,
) -> None:
    m = changes.member
    conflict = known.conflicts.get(d.id)
    if conflict is not None and conflict.has_conflict:
        report.lines.append(
            f"Domanda {d.protocol}: scheda di {m.name} non importata, il commissario si astiene "
            "per conflitto di interessi."
        )
        return
    if known.outcomes.get(d.id) in EXCLUDED_OUTCOMES:
        report.lines.append(f"Domanda {d.protocol}: scheda di {m.name} non importata, la domanda è stata esclusa.")
        return
    current = known.sheets.get(d.id)
    if current is not None and (
        current.state == SUBMITTED or (current.revision, current.updated_at) >= (sh.revision, sh.updated_at)
    ):
        report.unchanged += 1
        return
    changes.sheet(s, known, d, sh, content)
    report.changed += 1
    if sh.state == SUBMITTED:
        report.lines.append(f"Domanda {d.protocol}: scheda di {m.name} inviata, registrata e bloccata.")
    else:
        report.lines.append(f"Domanda {d.protocol}: bozza di {m.name} aggiornata (revisione {sh.revision}).")


def _record(s: Session, m: Commissario, ret: SignedReturn, report: MergeReport, older: bool) -> None:
    row = s.scalars(
        select(Pacchetto).where(
            Pacchetto.commissario_id == m.id, Pacchetto.direction == RETURNING, Pacchetto.sequence == ret.sequence
        )
    ).first()
    if row is None:
        s.add(
            Pacchetto(
                commissario_id=m.id, direction=RETURNING, sequence=ret.sequence, content_sha256=ret.payload_sha256
            )
        )
    elif not older:
        row.content_sha256 = ret.payload_sha256
    else:
        report.lines.append("Ritorno meno recente di uno già importato: il riferimento resta al più recente.")
    s.flush()
    audit.record(
        s,
        _chair_actor(s),
        MERGED_ACTION,
        "pacchetto",
        ret.payload_sha256,
        None,
        {
            "commissario": m.name,
            "sequenza": ret.sequence,
            "modifiche": report.lines,
            "creato": ret.created_at,
            "impronta": report.key_fingerprint,
            **keep_signed_return(s, ret.payload, ret.signature, ret.public_key, ret.payload_sha256),
        },
    )


def _chair_actor(s: Session) -> str:
    chair = s.scalars(select(Commissario).where(Commissario.role == "presidente")).first()
    return chair.name if chair else "presidente"
