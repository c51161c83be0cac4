"""Renaming or removing a committee member, only before they have scored anything.

Why only then: once a member has saved a mark or a comparison, their name is in sheets, packages, the log
and possibly an approved ranking; renaming would make the evidence disagree with itself, and removing would
drop points from the collegial score. Before that, a name typed wrong or a person appointed by mistake is an
ordinary correction: the log keeps the old name (rename) or the whole row (removal) with the reason. A member
recorded in a session's attendance is not removed either (the minutes name them), nor the only chair.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import RuleViolation
from valutazione.models import (
    Commissario,
    Conflitto,
    Credenziale,
    Dichiarazione,
    Pacchetto,
    Presenza,
    RuoloServer,
    Scheda,
    Seduta,
)
from valutazione.pairwise_tables import Confronto
from valutazione.services import lookup
from valutazione.services.committee import PRESIDENTE, MemberInfo, member_name


def _require_no_scores(s: Session, m: Commissario, what: str) -> None:
    sheets = s.scalar(select(func.count()).select_from(Scheda).where(Scheda.commissario_id == m.id)) or 0
    pairs = s.scalar(select(func.count()).select_from(Confronto).where(Confronto.commissario_id == m.id)) or 0
    if sheets or pairs:
        done = f"{sheets} schede" if sheets != 1 else "1 scheda"
        if pairs:
            done += f" e {pairs} confronti" if pairs != 1 else " e 1 confronto"
        raise RuleViolation(
            f"{m.name} non si può {what}: ha già valutato ({done} nel file). "
            "Dopo il primo punteggio il componente resta come registrato."
        )


def _reason(reason: str, what: str, name: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise RuleViolation(f"Indicare il motivo per cui {name} viene {what}: resta nel registro delle operazioni.")
    return reason


def rename_member(s: Session, member_id: int, new_name: str, reason: str, actor: str) -> MemberInfo:
    """Corrects a member's name; refuses after their first score, an empty or taken name, no reason."""
    m = lookup.member(s, member_id)
    if not " ".join(new_name.split()):
        raise RuleViolation("Il nuovo nome del commissario è obbligatorio.")
    new_name = member_name(s, new_name, m.id)
    if new_name == m.name:
        raise RuleViolation(f"Il nome «{new_name}» è già quello registrato.")
    reason = _reason(reason, "rinominato", m.name)
    _require_no_scores(s, m, "rinominare")
    old = m.name
    m.name = new_name
    s.flush()
    audit.record(
        s, actor, "commissario.rinominato", "commissario", m.id, {"nome": old}, {"nome": new_name, "motivo": reason}
    )
    row = s.scalars(select(Dichiarazione).where(Dichiarazione.commissario_id == m.id)).first()
    return MemberInfo(m.id, m.name, m.role, m.email, row.declared_at if row else None)


def remove_member(s: Session, member_id: int, reason: str, actor: str) -> str:
    """Removes a member appointed by mistake, with their declarations; returns the name removed."""
    m = lookup.member(s, member_id)
    reason = _reason(reason, "rimosso", m.name)
    if m.role == PRESIDENTE:
        raise RuleViolation(
            f"{m.name} è il presidente: non si rimuove (se il nome è sbagliato, correggerlo con la rinomina)."
        )
    _require_no_scores(s, m, "rimuovere")
    sessions = sorted(
        s.scalars(
            select(Seduta.number).join(Presenza, Presenza.seduta_id == Seduta.id).where(Presenza.commissario_id == m.id)
        )
    )
    if sessions:
        shown = ", ".join(f"n. {n}" for n in sessions)
        raise RuleViolation(f"{m.name} non si può rimuovere: figura nelle presenze delle sedute {shown}.")
    if s.scalars(select(Pacchetto).where(Pacchetto.commissario_id == m.id)).first() is not None:
        raise RuleViolation(f"{m.name} non si può rimuovere: ha già ricevuto un pacchetto per la valutazione.")
    if s.get(RuoloServer, m.id) is not None:
        raise RuleViolation(f"{m.name} non si può rimuovere: ha un accesso al server della commissione.")
    conflicts = list(s.scalars(select(Conflitto).where(Conflitto.commissario_id == m.id)))
    declaration = s.scalars(select(Dichiarazione).where(Dichiarazione.commissario_id == m.id)).first()
    before = {
        "nome": m.name,
        "ruolo": m.role,
        "email": m.email,
        "dichiarazione": declaration.declared_at if declaration else None,
        "conflitti_dichiarati": len(conflicts),
    }
    for row in (*conflicts, declaration, s.get(Credenziale, m.id)):
        if row is not None:
            s.delete(row)
    s.flush()
    name = m.name
    s.delete(m)
    s.flush()
    audit.record(s, actor, "commissario.rimosso", "commissario", member_id, before, {"motivo": reason})
    return name
