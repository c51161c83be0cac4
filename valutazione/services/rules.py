"""Changing the call's rules inside an open file (docs/regole.md § 1).

The rules are free to edit while the committee is setting up. Once the first application has been
opened (an admissibility decision) or scored (a sheet exists), or the chair locked them explicitly, a
change must carry a reason: it is audited with the keys before and after, and listed for the minutes,
because the committee changed the game after seeing the players.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.bando import Bando, bando_from_json
from valutazione.errors import RuleViolation
from valutazione.models import (
    Ammissibilita,
    AuditRow,
    BandoRow,
    Domanda,
    GraduatoriaVersion,
    Scheda,
    ZonaRow,
    utcnow,
)

ACTION = "bando.regole_modificate"


@dataclass(frozen=True)
class RuleChange:
    """One recorded change of the rules, as the minutes list it."""

    at: datetime
    actor: str
    reason: str
    after_lock: bool
    changes: tuple[tuple[str, str, str], ...]  # (key, before, after)


def flatten(mapping: Any, prefix: str = "") -> dict[str, str]:
    """``{"bando": {"budget": "1"}}`` → ``{"bando.budget": "1"}``; lists are indexed like the TOML keys."""
    out: dict[str, str] = {}
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(mapping, list) and any(isinstance(v, dict | list) for v in mapping):
        for i, value in enumerate(mapping):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = json.dumps(mapping, ensure_ascii=False) if isinstance(mapping, list) else str(mapping)
    return out


def diff_rules(old: Bando, new: Bando) -> list[tuple[str, str, str]]:
    """The keys whose value changed, with before and after (``—`` for a key added or removed)."""
    a, b = flatten(old.to_mapping()), flatten(new.to_mapping())
    return [(k, a.get(k, "—"), b.get(k, "—")) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def rules_locked(session: Session) -> bool:
    """Whether a change now needs a reason: an application was opened or scored, or the chair locked."""
    row = session.scalars(select(BandoRow)).one()
    if row.rules_locked_at is not None:
        return True
    opened = session.scalars(select(Ammissibilita.id).limit(1)).first()
    scored = session.scalars(select(Scheda.id).limit(1)).first()
    return opened is not None or scored is not None


def final_version(session: Session) -> int | None:
    """The number of the first definitive ranking, after which the rules can no longer change.

    Why: a rule changed after the definitive approval would make the approved ranking irreproducible from
    the file's own rules (``reproduce``) and rewrite the game once the winners are public.
    """
    return session.scalars(
        select(GraduatoriaVersion.version)
        .where(GraduatoriaVersion.state == "definitiva")  # services.ranking.FINAL (it imports this module)
        .order_by(GraduatoriaVersion.version)
        .limit(1)
    ).first()


def lock_rules(session: Session, actor: str) -> None:
    """Fixes the rules from now on (idempotent); services call it when an application is first opened."""
    row = session.scalars(select(BandoRow)).one()
    if row.rules_locked_at is None:
        row.rules_locked_at = utcnow()
        # The hash of the locked rules is the rules' seal (valutazione.seals.rules).
        audit.record(
            session,
            actor,
            "bando.regole_bloccate",
            "bando",
            row.code,
            None,
            {"bloccate": True, "sha256": hashlib.sha256(row.rules_json.encode("utf-8")).hexdigest()},
        )


def update_rules(session: Session, actor: str, new: Bando, reason: str = "") -> RuleChange | None:
    """Stores ``new`` as the file's rules; returns the recorded change, or None when nothing changed."""
    row = session.scalars(select(BandoRow)).one()
    old = bando_from_json(row.rules_json)
    changes = diff_rules(old, new)
    if not changes:
        return None
    final = final_version(session)
    if final is not None:
        raise RuleViolation(
            f"Le regole del bando non si possono più modificare: la graduatoria è stata approvata in via "
            f"definitiva (versione {final})"
        )
    locked = rules_locked(session)
    reason = reason.strip()
    if locked and not reason:
        raise RuleViolation(
            "Le regole del bando sono già in uso (domande aperte o valutate): per modificarle serve una "
            "motivazione, che sarà riportata nel verbale"
        )
    _sync_zones(session, new)
    row.rules_json = new.to_json()
    row.code = new.code
    row.title = new.title
    session.flush()
    entry = audit.record(
        session,
        actor,
        ACTION,
        "bando",
        new.code,
        {k: before for k, before, _ in changes},
        {
            "modifiche": {k: after for k, _, after in changes},
            "motivazione": reason,
            "dopo_blocco": locked,
            "sha256": hashlib.sha256(row.rules_json.encode("utf-8")).hexdigest(),
        },
    )
    return RuleChange(entry.at, actor, reason, locked, tuple(changes))


def _sync_zones(session: Session, new: Bando) -> None:
    """Keeps the zone table in step; a zone that applications point to cannot disappear."""
    existing = {z.number: z for z in session.scalars(select(ZonaRow))}
    wanted = {z.number: z for z in new.zones}
    for number, row in existing.items():
        if number not in wanted:
            used = session.scalars(select(Domanda.id).where(Domanda.zona_id == row.id).limit(1)).first()
            if used is not None:
                raise RuleViolation(f"La zona {number} non può essere tolta: ci sono domande assegnate a essa")
            session.delete(row)
        else:
            row.name = wanted[number].name
    for number, zone in wanted.items():
        if number not in existing:
            session.add(ZonaRow(number=number, name=zone.name))


def rule_changes(session: Session, *, after_lock_only: bool = True) -> list[RuleChange]:
    """Recorded changes, oldest first; by default only those the minutes must list (after the lock)."""
    found = []
    for a in session.scalars(select(AuditRow).where(AuditRow.action == ACTION).order_by(AuditRow.id)):
        after = json.loads(a.after_json)
        before = json.loads(a.before_json) or {}
        if after_lock_only and not after.get("dopo_blocco"):
            continue
        mods = after.get("modifiche", {})
        found.append(
            RuleChange(
                at=a.at,
                actor=a.actor,
                reason=after.get("motivazione", ""),
                after_lock=bool(after.get("dopo_blocco")),
                changes=tuple((k, before.get(k, "—"), v) for k, v in sorted(mods.items())),
            )
        )
    return found
