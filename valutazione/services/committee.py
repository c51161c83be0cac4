"""The committee: members with their role, the act appointing them, the general declarations.

A member sees no application before signing the general declaration of no incompatibility: every
service that shows or scores an application calls ``require_declared`` first, so the GUI cannot
forget it. There is exactly one presidente (the reopening of a sheet and the approvals are theirs),
and the secretary records the sessions but never scores.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Commissario, Dichiarazione, Seduta, utcnow
from valutazione.services import lookup
from valutazione.signer_identity import FIELD_SEPARATOR, same_person

PRESIDENTE = "presidente"
COMPONENTE = "componente"
SEGRETARIO = "segretario"
ROLES = (PRESIDENTE, COMPONENTE, SEGRETARIO)
SCORING_ROLES = (PRESIDENTE, COMPONENTE)

# Control, format (bidi overrides, zero-width), private-use, surrogate and unassigned characters, and line or
# paragraph separators: nothing a person's name needs, each able to make two names look alike.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
LETTERS = frozenset({"Lu", "Ll", "Lt", "Lo"})  # letters that belong to a script (modifier letters excepted)

DEFAULT_DECLARATION = (
    "Dichiaro l'insussistenza di cause di incompatibilità e di astensione rispetto all'incarico di "
    "componente della commissione di valutazione, e mi impegno a dichiarare per ciascuna domanda "
    "eventuali conflitti di interessi."
)


@dataclass(frozen=True)
class MemberInfo:
    """A member as lists and the minutes show them (no live ORM object leaves the session)."""

    id: int
    name: str
    role: str
    email: str
    declared_at: datetime | None

    @property
    def scores(self) -> bool:
        return self.role in SCORING_ROLES


def member_name(s: Session, name: str, member_id: int | None = None) -> str:
    """The name as stored (spaces collapsed, NFKC); refuses an empty name and one that passes for another's.

    Why more than equality: a member's name heads their signature field in the minutes, and the signing
    check matches it to a certificate ignoring case, accents, punctuation and word order. A second member
    «laura fumagalli» or «FUMAGALLI Laura» beside Laura Fumagalli would let one certificate sign both boxes;
    an invisible or direction-changing character (U+202E, U+200B) or a Cyrillic «а» among Latin letters
    makes two names that read alike on screen. ``member_id``: the member being renamed (not a rival).
    """
    name = " ".join(unicodedata.normalize("NFKC", name).split())
    if not name:
        raise RuleViolation("Il nome del commissario è obbligatorio.")
    hidden = sorted({ch for ch in name if unicodedata.category(ch) in HIDDEN_CATEGORIES})
    if hidden:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in hidden)
        raise RuleViolation(f"Il nome del commissario contiene caratteri invisibili o di controllo ({codes}).")
    markup = sorted(set(name) & set("<>"))
    if markup:  # the screens' labels would read «<b>…» or «<!--» as markup, the minutes as text
        raise RuleViolation(f"Il nome «{name}» contiene caratteri non ammessi in un nome ({' '.join(markup)}).")
    if FIELD_SEPARATOR in name:  # «Lucia - Anna Rossi» would head a field the signing check gives Anna Rossi
        raise RuleViolation(
            f"Il nome «{name}» non può contenere «{FIELD_SEPARATOR.strip()}» tra spazi: nel verbale separa il "
            "ruolo dal nome nel campo di firma (scrivere i cognomi doppi senza spazi, come «Rossi-Bianchi»)."
        )
    scripts = {unicodedata.name(ch, "?").split(" ")[0] for ch in name if unicodedata.category(ch) in LETTERS}
    if len(scripts) > 1:
        raise RuleViolation(
            f"Il nome «{name}» mescola lettere di alfabeti diversi ({', '.join(sorted(scripts)).lower()}): "
            "scriverlo con un solo alfabeto."
        )
    for other_id, other in s.execute(select(Commissario.id, Commissario.name)):
        if other_id != member_id and (other == name or same_person(other, [name])):
            shown = "" if other == name else f" come «{other}»"
            raise RuleViolation(
                f"«{name}» fa già parte della commissione{shown}: due componenti non possono avere nomi che si "
                "confondono (lo stesso certificato firmerebbe per entrambi)."
            )
    return name


def add_member(s: Session, name: str, role: str, actor: str, email: str = "") -> Commissario:
    """Adds a member; refuses an unknown role, a name taken or passing for another's, a second presidente."""
    if role not in ROLES:
        raise RuleViolation(f"Ruolo «{role}» non previsto: ruoli possibili {', '.join(ROLES)}.")
    name = member_name(s, name)
    if role == PRESIDENTE and chair(s) is not None:
        raise RuleViolation(
            f"La commissione ha già un presidente ({chair_or_error(s).name}): ce ne può essere uno solo."
        )
    row = Commissario(name=name, role=role, email=email.strip())
    s.add(row)
    s.flush()
    audit.record(s, actor, "commissario.aggiunto", "commissario", row.id, None, {"nome": name, "ruolo": role})
    return row


def list_members(s: Session) -> list[MemberInfo]:
    """Presidente first, then members, then the secretary, each group by name."""
    declared = {d.commissario_id: d.declared_at for d in s.scalars(select(Dichiarazione))}
    rows = s.scalars(select(Commissario)).all()
    rows = sorted(rows, key=lambda m: (ROLES.index(m.role), m.name))
    return [MemberInfo(m.id, m.name, m.role, m.email, declared.get(m.id)) for m in rows]


def chair(s: Session) -> Commissario | None:
    return s.scalars(select(Commissario).where(Commissario.role == PRESIDENTE)).first()


def chair_or_error(s: Session) -> Commissario:
    found = chair(s)
    if found is None:
        raise NotFoundError("La commissione non ha ancora un presidente.")
    return found


def scoring_members(s: Session) -> list[Commissario]:
    """Presidente and componenti: those whose sheets make the collegial score."""
    return list(s.scalars(select(Commissario).where(Commissario.role.in_(SCORING_ROLES)).order_by(Commissario.name)))


def declare_general(
    s: Session, member_id: int, text: str = DEFAULT_DECLARATION, at: datetime | None = None
) -> Dichiarazione:
    """Records the member's general declaration; it is signed once and never rewritten."""
    m = lookup.member(s, member_id)
    text = text.strip()
    if not text:
        raise RuleViolation("Il testo della dichiarazione è obbligatorio.")
    if declaration(s, member_id) is not None:
        raise RuleViolation(f"{m.name} ha già reso la dichiarazione generale di insussistenza di incompatibilità.")
    row = Dichiarazione(commissario_id=member_id, declared_at=at or utcnow(), text=text)
    s.add(row)
    s.flush()
    audit.record(
        s,
        m.name,
        "dichiarazione.resa",
        "commissario",
        member_id,
        None,
        {"testo": text, "data": row.declared_at},
    )
    return row


def declaration(s: Session, member_id: int) -> Dichiarazione | None:
    return s.scalars(select(Dichiarazione).where(Dichiarazione.commissario_id == member_id)).first()


def require_declared(s: Session, member_id: int) -> Commissario:
    """The gate before any application is shown to a member; returns the member."""
    m = lookup.member(s, member_id)
    if declaration(s, member_id) is None:
        raise RuleViolation(
            f"{m.name} non ha ancora reso la dichiarazione generale di insussistenza di incompatibilità: "
            "non può vedere le domande."
        )
    return m


def require_scorer(m: Commissario) -> None:
    if m.role not in SCORING_ROLES:
        raise RuleViolation(f"{m.name} è segretario verbalizzante: non esprime valutazioni.")


@dataclass(frozen=True)
class Appointment:
    """The act appointing the committee; ``day`` None until the chair records it."""

    act: str
    day: date | None


def appointment(s: Session) -> Appointment:
    row = lookup.bando_row(s)
    return Appointment(row.appointment_act, row.appointment_date)


def set_appointment(s: Session, act: str, day: date | None, actor: str) -> None:
    """The act appointing the committee (number and date), printed in every verbale."""
    act = act.strip()
    if not act:
        raise RuleViolation("Indicare l'atto di nomina della commissione (numero o estremi).")
    row = lookup.bando_row(s)
    first = s.scalars(select(Seduta).order_by(Seduta.day, Seduta.number).limit(1)).first()
    if day is not None and first is not None and first.day < day:
        raise RuleViolation(
            f"La data dell'atto di nomina ({day:%d/%m/%Y}) segue quella della seduta n. {first.number} "
            f"({first.day:%d/%m/%Y}): la commissione non può essersi riunita prima della nomina."
        )
    before = {"atto": row.appointment_act, "data": row.appointment_date}
    row.appointment_act, row.appointment_date = act, day
    s.flush()
    audit.record(s, actor, "commissione.nomina", "bando", row.code, before, {"atto": act, "data": day})
