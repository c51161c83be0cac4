"""Who is at the keyboard: a password per committee member, kept as a salted scrypt hash in the file.

The file is evidence in an appeal: «the chair approved» must mean that someone who knew the chair's
password did. The chair and the secretary must set one at their first entry and type it at every
entry after; a member may protect their own entry too. Only the salt, the digest and the scrypt
parameters are stored (in ``credenziale``, parameters beside the hash so that stronger ones can be
adopted later without breaking the old hashes); the audit log records that a password was set or
changed, never the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import NotFoundError, RuleViolation
from valutazione.models import Credenziale, utcnow
from valutazione.projects.tables import CredenzialeReferente, Referente
from valutazione.services import lookup
from valutazione.services.committee import PRESIDENTE, SEGRETARIO

MIN_LENGTH = 6
# scrypt with n=2**14, r=8, p=1 takes about 16 MiB and a few tens of milliseconds: slow for a guesser
# trying millions of passwords, unnoticeable for a person entering once.
N, R, P = 2**14, 8, 1
DKLEN = 32
PROTECTED_ROLES = (PRESIDENTE, SEGRETARIO)


class WrongPassword(RuleViolation):
    """The password typed does not match the one stored for the member."""


@dataclass(frozen=True)
class Credential:
    """What the entry page must know about a member's password (never the hash)."""

    member_id: int
    has_password: bool
    required: bool  # chair and secretary must have one
    set_at: datetime | None


def _scheme(n: int, r: int, p: int) -> str:
    return f"scrypt:n={n},r={r},p={p}"


def _parse(scheme: str) -> tuple[int, int, int]:
    kind, _, params = scheme.partition(":")
    if kind != "scrypt":
        raise RuleViolation(f"Schema di password «{kind}» non riconosciuto in questo file.")
    values = dict(item.split("=", 1) for item in params.split(","))
    return int(values["n"]), int(values["r"]), int(values["p"])


def _digest(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=DKLEN)


def _person(s: Session, person_id: int, officer: bool) -> tuple[str, bool]:
    """The name and whether a password is required: members of the protected roles, and every monitoring
    officer (who writes agreements and payments into the file, so «the officer recorded» must mean it)."""
    if officer:
        row = s.get(Referente, person_id)
        if row is None:
            raise NotFoundError(f"Nessun referente del monitoraggio con identificativo {person_id}.")
        return row.name, True
    m = lookup.member(s, person_id)
    return m.name, m.role in PROTECTED_ROLES


def _stored(s: Session, person_id: int, officer: bool) -> Credenziale | CredenzialeReferente | None:
    return s.get(CredenzialeReferente, person_id) if officer else s.get(Credenziale, person_id)


def credential(s: Session, member_id: int, *, officer: bool = False) -> Credential:
    """``officer``: ``member_id`` names a monitoring officer (their ids are not committee members' ids)."""
    _name, required = _person(s, member_id, officer)
    row = _stored(s, member_id, officer)
    return Credential(member_id, row is not None, required, row.set_at if row else None)


def needs_password(s: Session, member_id: int, *, officer: bool = False) -> bool:
    """True when entering as this member asks for a password (set one, or type it)."""
    c = credential(s, member_id, officer=officer)
    return c.required or c.has_password


def check_password(s: Session, member_id: int, password: str, *, officer: bool = False) -> None:
    """Raises ``WrongPassword`` unless ``password`` is the member's; a member without one passes only if
    their role does not require it."""
    name, required = _person(s, member_id, officer)
    row = _stored(s, member_id, officer)
    if row is None:
        if required:
            raise WrongPassword(f"{name} non ha ancora impostato la password: impostarla prima di entrare.")
        return
    n, r, p = _parse(row.scheme)
    expected = bytes.fromhex(row.digest)
    if not hmac.compare_digest(_digest(password, bytes.fromhex(row.salt), n, r, p), expected):
        raise WrongPassword(f"Password errata per {name}.")


def _validate(password: str, name: str) -> None:
    if len(password) < MIN_LENGTH:
        raise RuleViolation(f"La password deve avere almeno {MIN_LENGTH} caratteri.")
    if password.strip().casefold() == name.casefold():
        raise RuleViolation("La password non può essere il nome della persona.")


def set_password(
    s: Session, member_id: int, password: str, current: str | None = None, *, officer: bool = False
) -> None:
    """Sets the first password, or changes it when ``current`` (the old one) is right.

    A first password is set by whoever enters first as that member: the chair hands the laptop to each
    person, who chooses their own. Changing requires the old one, so nobody replaces another's.
    """
    name, _required = _person(s, member_id, officer)
    row = _stored(s, member_id, officer)
    if row is not None:
        check_password(s, member_id, current or "", officer=officer)
    _validate(password, name)
    salt = secrets.token_bytes(16)
    digest = _digest(password, salt, N, R, P).hex()
    action = "password.cambiata" if row is not None else "password.impostata"
    if row is None:
        scheme = _scheme(N, R, P)
        row = (
            CredenzialeReferente(referente_id=member_id, scheme=scheme, salt=salt.hex(), digest=digest)
            if officer
            else Credenziale(commissario_id=member_id, scheme=scheme, salt=salt.hex(), digest=digest)
        )
        s.add(row)
    else:
        row.scheme, row.salt, row.digest = _scheme(N, R, P), salt.hex(), digest
    row.set_at = utcnow()
    s.flush()
    # The log says who and when; the hash and the salt stay out of it (a log is printed and shown).
    entity = "referente" if officer else "commissario"
    audit.record(s, name, action, entity, member_id, None, {"schema": row.scheme})


def record_delegation(s: Session, chair_id: int, document: str, field: str, holder: str, text: str) -> None:
    """Logs that the chair let ``holder``'s certificate sign ``field`` of ``document`` for its person.

    Only the chair records a delegation: a signature in another person's box is a decisive fact of the
    minutes, and the text (the act of delegation) is what an appeal will ask for. The caller records it in
    the same transaction as the signature's other effects, so a failed signature leaves no row.
    """
    m = lookup.member(s, chair_id)
    if m.role != PRESIDENTE:
        raise RuleViolation(f"Solo il presidente può registrare una delega di firma ({m.name} non lo è).")
    text = " ".join(text.split())
    if not text:
        raise RuleViolation("Indicare gli estremi della delega di firma.")
    after = {"documento": document, "campo": field, "firmatario": holder, "delega": text}
    audit.record(s, m.name, "firma.delega", "documento", document, None, after)
