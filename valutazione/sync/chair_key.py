"""The chair's signing key: every package says, verifiably, that it comes from the chair's file.

Without it anybody could forge a package — a member of the committee writing one "from the chair"
for a colleague with altered applications, or a file built to attack the laptop that opens it. The
key pair lives in the chair's file (table ``chiave_presidente``), so the chair can move the file to
another computer and keep signing with the same key; a member never sees the private half, because a
package is a new database built row by row from what the member may see (``package.py``), never a
copy of the chair's file.

The member's laptop pins the chair's public key at the first package of a chair file, shows its
fingerprint to compare with the chair's (trust on first use, as the chair pins the members' keys),
and refuses from then on any package of that file signed with another key, or not signed at all.
The pin is one small file per chair file under the laptop's key folder, created once and never
rewritten, so a later package cannot move it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.errors import os_error_reason
from valutazione.models import ChiavePresidente
from valutazione.sync.archive import PackageError
from valutazione.sync.keys import fingerprint, is_public_key, keys_dir, verify

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CREATED_ACTION = "chiave_presidente.creata"
PINS = "presidenti"


@dataclass(frozen=True)
class ChairKey:
    """The chair file's key pair; ``public_hex`` travels in every package's manifest."""

    private: Ed25519PrivateKey
    public_hex: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_hex)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def chair_key(s: Session, actor: str) -> ChairKey:
    """The chair file's signing key, created (and logged, with its fingerprint) at the first package."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
        load_pem_private_key,
    )

    row = s.scalars(select(ChiavePresidente).order_by(ChiavePresidente.id)).first()
    if row is None:
        private = Ed25519PrivateKey.generate()
        public_hex = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")
        s.add(ChiavePresidente(public_key=public_hex, private_pem=pem))
        s.flush()
        audit.record(
            s, actor, CREATED_ACTION, "chiave_presidente", public_hex[:16], None, {"impronta": fingerprint(public_hex)}
        )
        return ChairKey(private, public_hex)
    loaded = load_pem_private_key(row.private_pem.encode("ascii"), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise PackageError("La chiave di firma del presidente registrata nel file non è una chiave Ed25519.")
    return ChairKey(loaded, row.public_key)


def sign_manifest(key: ChairKey, manifest_raw: bytes) -> bytes:
    """The signature entry of a package: base64 of the Ed25519 signature over the manifest's exact bytes."""
    return base64.b64encode(key.sign(manifest_raw)) + b"\n"


def check_signature(shown: str, public_hex: object, manifest_raw: bytes, signature_entry: bytes | None) -> str:
    """The manifest's chair key when its signature holds; a ``PackageError`` naming what is wrong otherwise.

    The manifest carries the content's SHA-256, so a valid signature over it covers the database too
    (checked when it is extracted).
    """
    if signature_entry is None or not isinstance(public_hex, str) or not public_hex:
        raise PackageError(
            f"«{shown}» non è firmato dal presidente: non può provenire dal file del presidente di questa "
            "versione. Chiedere al presidente un nuovo pacchetto. Nessuna modifica è stata fatta."
        )
    if not is_public_key(public_hex):
        raise PackageError(
            f"«{shown}»: la chiave del presidente nel pacchetto non è valida. Nessuna modifica è stata fatta."
        )
    try:
        signature = base64.b64decode(signature_entry.strip(), validate=True)
    except ValueError:
        signature = b""
    if not verify(public_hex, manifest_raw, signature):
        raise PackageError(
            f"«{shown}»: la firma del presidente non corrisponde al contenuto (chiave «{fingerprint(public_hex)}»): "
            "il pacchetto è stato alterato dopo l'esportazione. Nessuna modifica è stata fatta."
        )
    return public_hex


def _pin_path(file_uuid: str) -> Path:
    return keys_dir() / PINS / f"{file_uuid}.pub"


def pinned_key(file_uuid: str) -> str | None:
    """The chair key this laptop pinned for the chair file ``file_uuid`` (a validated UUID), if any."""
    try:
        text = _pin_path(file_uuid).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PackageError(
            f"La chiave del presidente registrata su questo computer in «{_pin_path(file_uuid)}» non è leggibile: "
            f"{os_error_reason(exc)}."
        ) from exc
    except UnicodeDecodeError:
        text = ""
    if not is_public_key(text):
        raise PackageError(f"La chiave del presidente registrata in «{_pin_path(file_uuid)}» è danneggiata.")
    return text


def require_pinned(shown: str, file_uuid: str, bando_code: str, public_hex: str) -> bool:
    """Refuses a key other than the pinned one, naming both fingerprints; True when no key is pinned yet."""
    pinned = pinned_key(file_uuid)
    if pinned is None:
        return True
    if pinned != public_hex:
        raise PackageError(
            f"«{shown}» è firmato con la chiave «{fingerprint(public_hex)}», ma per il file del presidente del "
            f"bando «{bando_code}» questo computer ha registrata la chiave «{fingerprint(pinned)}»: il pacchetto "
            "non proviene dal presidente. Verificare con il presidente. Nessuna modifica è stata fatta."
        )
    return False


def pin(shown: str, file_uuid: str, bando_code: str, public_hex: str) -> bool:
    """Records ``public_hex`` for the chair file at its first package; True when recorded now.

    Written beside its final name and linked into place, so two openings at once cannot both pin
    and a half-written pin never exists.
    """
    if not require_pinned(shown, file_uuid, bando_code, public_hex):
        return False
    path = _pin_path(file_uuid)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(public_hex + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError:
        return require_pinned(shown, file_uuid, bando_code, public_hex)
    except OSError as exc:
        raise PackageError(
            f"Impossibile registrare la chiave del presidente in «{path}»: {os_error_reason(exc)}."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return True
