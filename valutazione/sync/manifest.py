"""A package's manifest: what it says about itself, signed by the chair, read as hostile input.

A package arrives on a USB stick or by e-mail, so every value of its manifest is checked for type,
form and length before use: identifiers are strict (the chair file's UUID in its canonical form, a
64-digit SHA-256, positive integers), names are bounded texts with no control character, and no
value reaches a file-system path without passing ``safe_component`` (the working folder is built
from the call's code, the file's UUID and the member's name). The signature of the chair's key
over the manifest's exact bytes is checked before any of it is used (``chair_key.py``).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from valutazione import audit
from valutazione.paths import user_data_dir
from valutazione.sync.archive import MANIFEST, PackageError, read_entry, read_json, unusable
from valutazione.sync.chair_key import check_signature, require_pinned
from valutazione.sync.sealed import open_container

FORMAT = "valutazione-pacchetto"
FORMAT_VERSION = 1
CHAIR_SIGNATURE = "firma-presidente.ed25519"
WHAT = "un pacchetto di valutazione"
MAX_MANIFEST = 64 << 10  # a few hundred bytes in practice
MAX_CODE = 64  # BandoRow.code
MAX_NAME = 200
MAX_COMPONENT = 120  # bytes (UTF-8) of one folder name built from a manifest value; file systems allow 255
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Manifest:
    """What the package says about itself; ``content_sha256`` covers the database inside, the chair's key all."""

    bando_code: str
    file_uuid: str
    member_id: int
    member_name: str
    sequence: int
    created_at: datetime
    content_sha256: str
    chair_public_key: str

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "bando_code": self.bando_code,
            "file_uuid": self.file_uuid,
            "member_id": self.member_id,
            "member_name": self.member_name,
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "content_sha256": self.content_sha256,
            "chair_public_key": self.chair_public_key,
        }
        return audit.canonical_json(data).encode("utf-8")


@dataclass(frozen=True)
class PackageIdentity:
    """Written inside the member's database: which chair file, member and sequence it came from."""

    bando_code: str
    file_uuid: str
    member_name: str
    sequence: int


def read_manifest(pkg_path: Path, passphrase: str | None = None) -> Manifest:
    """The manifest of a package, validated and its chair signature checked (against this laptop's pin).

    A sealed package needs its ``passphrase`` (``PassphraseRequired`` without one).
    """
    with open_container(pkg_path, WHAT, passphrase) as zf:
        return verified_manifest(zf, pkg_path)


def verified_manifest(zf: zipfile.ZipFile, path: Path) -> Manifest:
    """The manifest inside an open package: signature first, then form, then the pinned chair key."""
    raw, data = read_json(zf, path, MANIFEST, WHAT, MAX_MANIFEST)
    signature = read_entry(zf, path, CHAIR_SIGNATURE, 4096, WHAT) if CHAIR_SIGNATURE in zf.namelist() else None
    check_signature(path.name, data.get("chair_public_key"), raw, signature)
    manifest = parse_manifest(path, data)
    require_pinned(path.name, manifest.file_uuid, manifest.bando_code, manifest.chair_public_key)
    return manifest


def parse_manifest(path: Path, data: dict[str, Any]) -> Manifest:
    if data.get("format") != FORMAT:
        raise unusable(path, WHAT, "non è un pacchetto in uscita del presidente")
    if data.get("format_version") != FORMAT_VERSION:
        raise PackageError(
            f"«{path.name}» è stato creato da una versione diversa dell'applicazione "
            f"(formato {str(data.get('format_version'))[:20]}): aggiornare valutazione."
        )
    try:
        return Manifest(
            bando_code=text(data["bando_code"], "bando_code", MAX_CODE),
            file_uuid=strict_uuid(data["file_uuid"]),
            member_id=positive(data["member_id"], "member_id"),
            member_name=text(data["member_name"], "member_name", MAX_NAME),
            sequence=positive(data["sequence"], "sequence"),
            created_at=aware(data["created_at"]),
            content_sha256=sha256_hex(data["content_sha256"]),
            chair_public_key=str(data["chair_public_key"]),
        )
    except KeyError as exc:
        raise unusable(path, WHAT, f"nel manifest manca il campo {exc}") from exc
    except ValueError as exc:
        raise unusable(path, WHAT, f"manifest non valido: {exc}") from exc


def text(value: Any, field: str, limit: int) -> str:
    """A non-empty name within ``limit`` characters, with no NUL nor other control character."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"il campo «{field}» non è un testo")
    if len(value) > limit:
        raise ValueError(f"il campo «{field}» è troppo lungo ({len(value)} caratteri, al massimo {limit})")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"il campo «{field}» contiene caratteri di controllo (ad esempio un carattere nullo)")
    return value


def strict_uuid(value: Any) -> str:
    """The chair file's identifier exactly as ``uuid4()`` writes it: nothing else can reach a path."""
    if isinstance(value, str) and len(value) == 36:
        try:
            if str(uuid.UUID(value)) == value:
                return value
        except ValueError:
            pass
    raise ValueError("il campo «file_uuid» non è un identificativo valido")


def positive(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(f"il campo «{field}» non è un numero intero positivo")
    return value


def aware(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("il campo «created_at» non è una data")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("il campo «created_at» non ha il fuso orario")
    return parsed


def sha256_hex(value: Any) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValueError("il campo «content_sha256» non è un'impronta SHA-256")
    return value


def safe_component(value: str) -> str:
    """One folder name from a manifest value: letters and digits kept, anything else a dash, bounded length.

    The mapping of names that fit is the one earlier versions used, so a member's working folder stays
    where it was after an update.
    """
    name = "".join(c if c.isalnum() else "-" for c in value[:MAX_COMPONENT])
    while len(name.encode("utf-8")) > MAX_COMPONENT:
        name = name[:-1]
    return name or "senza-nome"


def working_folder(manifest: Manifest | PackageIdentity) -> Path:
    """The member's working files live on the laptop's own disk, one folder per chair file.

    Not beside the package: a package often arrives on a USB stick, and a stick pulled out while the
    member works must not take their sheets with it. The UUID is checked again here, because an
    identity may come from a working file rather than from a checked manifest.
    """
    try:
        file_uuid = strict_uuid(manifest.file_uuid)
    except ValueError as exc:
        raise PackageError(f"Il file di lavoro non indica un file del presidente valido: {exc}.") from exc
    chair_file = f"{safe_component(manifest.bando_code)}-{file_uuid}"
    return user_data_dir() / "valutazioni" / chair_file / safe_component(manifest.member_name)
