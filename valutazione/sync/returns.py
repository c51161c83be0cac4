"""Return packages (member → chair): the member's work, signed with the laptop's Ed25519 key.

The payload is canonical JSON (sorted keys, no spaces) and the signature covers its exact bytes, so
any changed byte — a score, a motivazione, the sequence — makes the return unusable. It carries the
member's declarations, conflicts and sheets with their revision and timestamps, so the chair can
merge returns in any order and keep the newest, and the public key, so the first return can pin it.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from valutazione.audit import canonical_json
from valutazione.db import open_database
from valutazione.models import Conflitto, Dichiarazione, Domanda, Scheda
from valutazione.seals.anchors import current_anchor
from valutazione.services import lookup
from valutazione.sync.archive import PackageError, read_entry, read_json, unusable, write_zip
from valutazione.sync.keys import MemberKey, is_public_key, load_or_create_key
from valutazione.sync.package import EXTRACTED_SUFFIX, package_identity, read_manifest, working_folder
from valutazione.sync.sealed import check_passphrase, open_container, seal_file

FORMAT = "valutazione-ritorno"
FORMAT_VERSION = 1
PAYLOAD = "ritorno.json"
SIGNATURE = "firma.ed25519"
WHAT = "un ritorno di valutazione"
STATES = ("bozza", "inviata")


class ReturnedMark(NamedTuple):
    """One mark of a returned sheet. A named tuple, not a frozen dataclass: a merge of five returns builds
    ~200,000 of them, and it is the plain ``(sub-criterion, value, motivazione)`` the sheet's hash spells."""

    sub_code: str
    value: Decimal | None
    motivazione: str


class ReturnedSheet(NamedTuple):
    """A returned sheet; a named tuple like its marks (~25,000 of them for five returns)."""

    protocol: str
    state: str
    revision: int
    updated_at: datetime
    submitted_at: datetime | None
    content_hash: str | None
    marks: tuple[ReturnedMark, ...]


class ReturnedConflict(NamedTuple):
    """A returned declaration on one application; a named tuple like the sheets."""

    protocol: str
    has_conflict: bool
    reason: str
    declared_at: datetime


@dataclass(frozen=True)
class ReturnedDeclaration:
    declared_at: datetime
    text: str


@dataclass(frozen=True)
class SignedReturn:
    """A parsed return; ``payload`` and ``signature`` are still to be checked against the chair's key."""

    payload: bytes
    signature: bytes
    payload_sha256: str
    bando_code: str
    file_uuid: str
    member_id: int
    member_name: str
    sequence: int
    package_sha256: str
    created_at: datetime
    public_key: str
    declaration: ReturnedDeclaration | None
    conflicts: tuple[ReturnedConflict, ...]
    sheets: tuple[ReturnedSheet, ...]


@dataclass(frozen=True)
class ReturnResult:
    path: Path
    sheets: int
    submitted: int
    conflicts: int
    fingerprint: str


def make_return(
    pkg_path: Path,
    out: Path,
    key: MemberKey | None = None,
    workdir: Path | None = None,
    *,
    passphrase: str | None = None,
    package_passphrase: str | None = None,
) -> ReturnResult:
    """Reads the member's work from the package's working file and writes the signed return to ``out``.

    With a ``passphrase`` the return is sealed; the signature stays inside, over the same payload.
    A sealed package is read with ``package_passphrase``, or with ``passphrase`` when that is not
    given: the usual case is one passphrase, told by the chair, for both directions.
    """
    if out.exists():
        raise PackageError(f"Il file «{out}» esiste già: scegliere un altro nome.")
    if passphrase is not None:
        check_passphrase(passphrase)
    manifest = read_manifest(pkg_path, package_passphrase if package_passphrase is not None else passphrase)
    db_path = (workdir if workdir is not None else working_folder(manifest)) / (pkg_path.stem + EXTRACTED_SUFFIX)
    if not db_path.exists():
        raise PackageError(f"Il pacchetto «{pkg_path.name}» non è ancora stato aperto: nessun lavoro da restituire.")
    key = key or load_or_create_key()
    db = open_database(db_path, read_only=True)
    try:
        with db.sessions() as s:
            identity = package_identity(s)
            if identity is None or identity.sequence != manifest.sequence or identity.file_uuid != manifest.file_uuid:
                raise PackageError(f"«{db_path.name}» non è il file di lavoro del pacchetto «{pkg_path.name}».")
            m = lookup.member_by_name(s, manifest.member_name)
            anchor = current_anchor(s)
            decl = s.scalars(select(Dichiarazione).where(Dichiarazione.commissario_id == m.id)).first()
            protocols = {d.id: d.protocol for d in s.scalars(select(Domanda))}
            conflicts = [
                {
                    "protocol": protocols[c.domanda_id],
                    "has_conflict": c.has_conflict,
                    "reason": c.reason,
                    "declared_at": c.declared_at,
                }
                for c in s.scalars(select(Conflitto).where(Conflitto.commissario_id == m.id).order_by(Conflitto.id))
            ]
            sheets = [
                _sheet_json(protocols[sh.domanda_id], sh)
                for sh in s.scalars(
                    select(Scheda)
                    .options(selectinload(Scheda.voti))
                    .where(Scheda.commissario_id == m.id)
                    .order_by(Scheda.id)
                )
            ]
    finally:
        db.close()
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bando_code": manifest.bando_code,
        "file_uuid": manifest.file_uuid,
        "member_id": manifest.member_id,
        "member_name": manifest.member_name,
        "sequence": manifest.sequence,
        "package_sha256": manifest.content_sha256,
        "created_at": datetime.now(UTC),
        "public_key": key.public_hex,
        "declaration": None if decl is None else {"declared_at": decl.declared_at, "text": decl.text},
        "conflicts": conflicts,
        "sheets": sheets,
        # The member's file's log head and position, signed: an anchor of that log outside it.
        "audit_anchor": {"position": anchor.position, "head": anchor.head},
    }
    raw = canonical_json(payload).encode("utf-8")
    entries: list[tuple[str, bytes | Path]] = [(PAYLOAD, raw), (SIGNATURE, base64.b64encode(key.sign(raw)) + b"\n")]
    if passphrase is None:
        write_zip(out, entries)
    else:
        with tempfile.TemporaryDirectory(prefix=".valret-") as tmp:  # the plain zip stays off the USB stick
            write_zip(Path(tmp) / "ritorno.zip", entries)
            seal_file(Path(tmp) / "ritorno.zip", out, passphrase)
    return ReturnResult(
        out,
        len(sheets),
        sum(1 for sh in sheets if sh["state"] == "inviata"),
        sum(1 for c in conflicts if c["has_conflict"]),
        key.fingerprint,
    )


def _sheet_json(protocol: str, sh: Scheda) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "state": sh.state,
        "revision": sh.revision,
        "updated_at": sh.updated_at,
        "submitted_at": sh.submitted_at,
        "content_hash": sh.content_hash,
        "marks": [
            {"sub_code": v.sub_code, "value": None if v.value is None else str(v.value), "motivazione": v.motivazione}
            for v in sorted(sh.voti, key=lambda v: v.sub_code)
        ],
    }


def read_return(path: Path, passphrase: str | None = None) -> SignedReturn:
    """Parses a return file strictly; the signature is checked by the merge, against the chair's record.

    A sealed return needs its ``passphrase`` (``PassphraseRequired`` without one).
    """
    with open_container(path, WHAT, passphrase) as zf:
        raw, data = read_json(zf, path, PAYLOAD, WHAT)
        signature_text = read_entry(zf, path, SIGNATURE, 4096, WHAT)
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except ValueError as exc:
        raise unusable(path, WHAT, "la firma non è leggibile") from exc
    if data.get("format") != FORMAT:
        raise unusable(path, WHAT, "non è un ritorno di un commissario")
    if data.get("format_version") != FORMAT_VERSION:
        raise PackageError(
            f"«{path.name}» è stato creato da una versione diversa dell'applicazione "
            f"(formato {data.get('format_version')}): aggiornare valutazione."
        )
    try:
        return _parse(path, raw, signature, data)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise unusable(path, WHAT, f"contenuto incompleto o non valido ({exc!s})") from exc


def _parse(path: Path, raw: bytes, signature: bytes, data: dict[str, Any]) -> SignedReturn:
    public_key = str(data["public_key"])
    if not is_public_key(public_key):
        raise unusable(path, WHAT, "la chiave pubblica del commissario non è valida")
    decl = data["declaration"]
    sheets = tuple(_parse_sheet(sh) for sh in data["sheets"])
    return SignedReturn(
        payload=raw,
        signature=signature,
        payload_sha256=hashlib.sha256(raw).hexdigest(),
        bando_code=str(data["bando_code"]),
        file_uuid=str(data["file_uuid"]),
        member_id=_integer(data["member_id"], "member_id"),
        member_name=str(data["member_name"]),
        sequence=_integer(data["sequence"], "sequence"),
        package_sha256=str(data["package_sha256"]),
        created_at=_time(data["created_at"]),
        public_key=public_key,
        declaration=None if decl is None else ReturnedDeclaration(_time(decl["declared_at"]), str(decl["text"])),
        conflicts=tuple(
            ReturnedConflict(
                _text(c["protocol"], "protocol"),
                _boolean(c["has_conflict"], "has_conflict"),
                _text(c["reason"], "reason", MAX_TEXT),
                _time(c["declared_at"]),
            )
            for c in data["conflicts"]
        ),
        sheets=sheets,
    )


def _parse_sheet(sh: dict[str, Any]) -> ReturnedSheet:
    state = str(sh["state"])
    if state not in STATES:
        raise ValueError(f"stato di scheda sconosciuto «{state}»")
    marks = tuple([_mark(v["sub_code"], v["value"], v["motivazione"]) for v in sh["marks"]])
    if len({m[0] for m in marks}) != len(marks):
        raise ValueError(f"sottocriterio ripetuto nella scheda di {sh['protocol']}")
    return ReturnedSheet(
        protocol=_text(sh["protocol"], "protocol"),
        state=state,
        revision=_integer(sh["revision"], "revision"),
        updated_at=_time(sh["updated_at"]),
        submitted_at=None if sh["submitted_at"] is None else _time(sh["submitted_at"]),
        content_hash=None if sh["content_hash"] is None else str(sh["content_hash"]),
        marks=marks,
    )


def _mark(code: Any, value: Any, why: Any) -> ReturnedMark:
    """One mark, checked as ``_text`` and ``_decimal`` check it: the usual case (two plain strings and a
    short text or null mark) without their calls, ~200,000 marks for five returns; anything else through
    them, with their messages."""
    if not (
        type(code) is str
        and type(why) is str
        and len(code) <= MAX_NAME
        and len(why) <= MAX_TEXT
        and "\x00" not in code
        and "\x00" not in why
    ):
        code, why = _text(code, "sub_code"), _text(why, "motivazione", MAX_TEXT)
    if value is None:
        return ReturnedMark(code, None, why)
    if type(value) is str and len(value) <= 20:
        return ReturnedMark(code, _finite(value), why)
    return ReturnedMark(code, _decimal(value), why)


MAX_TEXT = 20_000  # a motivation or a reason: pages of text, not megabytes
MAX_NAME = 200  # protocols and codes


def _text(value: Any, field: str, limit: int = MAX_NAME) -> str:
    """A string as the member's program wrote it: no other type, no NUL, within ``limit`` characters."""
    if not isinstance(value, str):
        raise ValueError(f"il campo «{field}» non è un testo")
    if "\x00" in value or len(value) > limit:
        raise ValueError(f"il campo «{field}» contiene un carattere nullo o è troppo lungo")
    return value


def _boolean(value: Any, field: str) -> bool:
    """Only JSON true/false: the string "false" is not a «no» (it used to count as a conflict)."""
    if not isinstance(value, bool):
        raise ValueError(f"il campo «{field}» non è true o false")
    return value


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError(f"il campo «{field}» non è un numero intero ammesso")
    return value


def _decimal(value: Any) -> Decimal:
    """A mark: a short decimal number, never a float's binary noise nor a number of a thousand digits."""
    if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > 20:
        raise ValueError(f"voto non valido «{str(value)[:20]}»")
    return _finite(str(value))


@lru_cache(maxsize=1024)
def _finite(text: str) -> Decimal:
    """A return repeats the few marks of the call's scale thousands of times: each text is parsed once.

    Decimals are immutable, so the marks share them; a refused text raises anew each time (not cached).
    """
    number = Decimal(text)
    if not number.is_finite():
        raise ValueError(f"voto non valido «{text}»")
    return number


def _time(value: Any) -> datetime:
    parsed = datetime.fromisoformat(_text(value, "data"))
    if parsed.tzinfo is None:
        raise ValueError(f"data senza fuso orario «{value}»")
    return parsed
