"""The member's Ed25519 key pair, kept on the laptop, and its short fingerprint.

A return is accepted only when signed by the key the chair recorded for that member, so a return
cannot be forged or sent in another member's name. The chair records the key on the first return,
after reading the fingerprint aloud with the member (over the phone, in a session): trust on first use.
``cryptography`` is imported only here and only when a key is used, to keep start-up fast.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from valutazione.errors import ValutazioneError, os_error_reason
from valutazione.paths import user_data_dir

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PRIVATE_NAME = "commissario-ed25519.pem"
PUBLIC_NAME = "commissario-ed25519.pub"


class KeyFileError(ValutazioneError):
    """The laptop's key cannot be read or created."""


@dataclass(frozen=True)
class MemberKey:
    """The laptop's key pair; ``public_hex`` is what travels in returns and what the chair records."""

    private: Ed25519PrivateKey
    public_hex: str
    path: Path

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_hex)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def keys_dir() -> Path:
    return user_data_dir() / "keys"


def fingerprint(public_hex: str) -> str:
    """First 16 hex digits of SHA-256 of the raw public key, in groups of four: short enough to read aloud."""
    digest = hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def same_fingerprint(typed: str, shown: str) -> bool:
    """Whether a fingerprint as read aloud or typed (any spacing, case, ``:`` or ``-``) is ``shown``."""
    return bool(_bare(typed)) and _bare(typed) == _bare(shown)


def _bare(text: str) -> str:
    return "".join(text.lower().replace(":", " ").replace("-", " ").split())


def _raw_public_hex(private: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def load_or_create_key(directory: Path | None = None) -> MemberKey:
    """This laptop's key, created at first use with the private file readable by its owner only (0600)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key,
    )

    directory = directory or keys_dir()
    path = directory / PRIVATE_NAME
    try:
        if not path.exists():
            _create(directory, path)
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise KeyFileError(
            f"La chiave del commissario in «{path}» non è utilizzabile: {os_error_reason(exc)}."
        ) from exc
    except (ValueError, TypeError) as exc:
        raise KeyFileError(
            f"La chiave del commissario in «{path}» non è leggibile: il file è danneggiato o non è una chiave."
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(f"«{path}» non contiene una chiave Ed25519.")
    return MemberKey(loaded, _raw_public_hex(loaded), path)


def _create(directory: Path, path: Path) -> None:
    """Writes a new key pair: the private file readable by its owner only (0600), through a temporary name."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    directory.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    (directory / PUBLIC_NAME).write_text(_raw_public_hex(private) + "\n", encoding="ascii")


def verify(public_hex: str, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` was made by the private half of ``public_hex``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def is_public_key(text: str) -> bool:
    """A raw Ed25519 public key as 64 hex digits."""
    try:
        return len(bytes.fromhex(text)) == 32
    except ValueError:
        return False
