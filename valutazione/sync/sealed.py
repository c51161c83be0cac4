"""Packages and returns sealed with a passphrase, for laptops and USB sticks that may be lost.

A sealed file is a small header followed by the whole inner file (the usual zip) encrypted with
AES-256-GCM under a key derived from the passphrase with scrypt. The header — magic, KDF parameters,
salt, nonce — is the associated data, so none of it can be changed without the file being refused.
Nothing readable is left outside: the manifest, names, protocols and motivazioni are all inside.

GCM cannot tell a wrong passphrase from a damaged file, so both give the same message. The
passphrase is never stored: the chair tells it to the members by another channel, and a forgotten
one means a new package. ``cryptography`` is imported only when a file is sealed or opened, so the
application starts as fast as before for committees that never use this.

Layout (41 bytes of header, then ciphertext, then the 16-byte GCM tag)::

    b"VALSEALED1" | log2(n) u8 | r u8 | p u8 | salt 16 bytes | nonce 12 bytes | ciphertext | tag
"""

from __future__ import annotations

import io
import os
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from valutazione.sync.archive import CHUNK, MAX_TOTAL, PackageError, open_zip, unusable

MAGIC = b"VALSEALED1"
HEADER = struct.Struct(">10sBBB16s12s")
TAG_SIZE = 16
LOG2_N, R, P = 15, 8, 1  # scrypt: 32 MiB and ~0.1 s per attempt on a laptop
MAX_SCRYPT_MEMORY = 256 << 20  # a forged header must not make the reader allocate gigabytes
MIN_PASSPHRASE = 10


class PassphraseRequired(PackageError):
    """The file is sealed and no passphrase was given: the caller asks for one and tries again."""


class WrongPassphrase(PackageError):
    """The passphrase does not open the file (or the file is damaged: GCM cannot tell which)."""


@dataclass(frozen=True)
class _Header:
    log2_n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes

    def pack(self) -> bytes:
        return HEADER.pack(MAGIC, self.log2_n, self.r, self.p, self.salt, self.nonce)

    def plausible(self) -> bool:
        """Parameters this application could have written, within a memory bound checked before deriving."""
        return (
            1 <= self.log2_n <= 30
            and self.r >= 1
            and 1 <= self.p <= 4
            and (128 * self.r * (1 << self.log2_n) <= MAX_SCRYPT_MEMORY)
        )


def check_passphrase(passphrase: str) -> None:
    """A new passphrase must be long enough to resist guessing on a stolen laptop."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PackageError(
            f"La password deve avere almeno {MIN_PASSPHRASE} caratteri "
            "(ad esempio tre o quattro parole non collegate tra loro)."
        )


def is_sealed(source: Path | bytes) -> bool:
    """Whether a file (or its bytes) starts like a sealed container; False for a missing or short file."""
    if isinstance(source, bytes):
        return source.startswith(MAGIC)
    try:
        with open(source, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def seal(data: bytes, passphrase: str) -> bytes:
    """The sealed form of ``data``; a new salt and nonce every time, so two seals never look alike."""
    out = io.BytesIO()
    _seal_stream(io.BytesIO(data), out, passphrase)
    return out.getvalue()


def unseal(data: bytes, passphrase: str, *, name: str = "") -> bytes:
    """The inner bytes; ``WrongPassphrase`` (a ``PackageError``) on a wrong passphrase or any damage."""
    out = io.BytesIO()
    _unseal_stream(io.BytesIO(data), len(data), out, passphrase, name or "il file")
    return out.getvalue()


def seal_file(src: Path, dest: Path, passphrase: str) -> None:
    """Seals ``src`` into ``dest`` through a temporary name (fsynced), so a half-written file never has the name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            _seal_stream(fin, fout, passphrase)
            fout.flush()
            os.fsync(fout.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def open_container(path: Path, what: str, passphrase: str | None) -> Iterator[zipfile.ZipFile]:
    """The zip inside ``path``, plain or sealed; a sealed one is opened in memory, never written out."""
    if not is_sealed(path):
        with open_zip(path, what) as zf:
            yield zf
        return
    if passphrase is None:
        raise PassphraseRequired(f"«{path.name}» è protetto da una password: indicarla per aprirlo.")
    if path.stat().st_size > MAX_TOTAL:  # opened in memory: never more than an unpacked package may weigh
        raise unusable(path, what, "è più grande di qualsiasi pacchetto o ritorno")
    inner = io.BytesIO()
    try:
        with open(path, "rb") as fh:
            _unseal_stream(fh, path.stat().st_size, inner, passphrase, f"«{path.name}»")
    except OSError as exc:
        raise unusable(path, what, f"file non leggibile ({exc.strerror or exc})") from exc
    inner.seek(0)
    with open_zip(path, what, inner) as zf:
        yield zf


def _key(passphrase: str, header: _Header) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    # NFC: the same passphrase typed on two systems may arrive with accents composed differently.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=header.salt, length=32, n=1 << header.log2_n, r=header.r, p=header.p).derive(secret)


def _seal_stream(src: IO[bytes], out: IO[bytes], passphrase: str) -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    check_passphrase(passphrase)
    header = _Header(LOG2_N, R, P, os.urandom(16), os.urandom(12))
    raw_header = header.pack()
    encryptor = Cipher(algorithms.AES(_key(passphrase, header)), modes.GCM(header.nonce)).encryptor()
    encryptor.authenticate_additional_data(raw_header)
    out.write(raw_header)
    while chunk := src.read(CHUNK):
        out.write(encryptor.update(chunk))
    out.write(encryptor.finalize())
    out.write(encryptor.tag)


def _unseal_stream(src: IO[bytes], size: int, out: IO[bytes], passphrase: str, shown: str) -> None:
    """Decrypts into ``out``, which the caller must discard unless this returns: the tag is checked last."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    damaged = PackageError(
        f"Impossibile aprire {shown}: è protetto da una password ma è troncato o danneggiato. "
        "Nessuna modifica è stata fatta."
    )
    raw_header = src.read(HEADER.size)
    if len(raw_header) < HEADER.size or size < HEADER.size + TAG_SIZE:
        raise damaged
    magic, log2_n, r, p, salt, nonce = HEADER.unpack(raw_header)
    header = _Header(log2_n, r, p, salt, nonce)
    if magic != MAGIC or not header.plausible():
        raise damaged
    remaining = size - HEADER.size - TAG_SIZE
    src.seek(HEADER.size + remaining)
    tag = src.read(TAG_SIZE)
    src.seek(HEADER.size)
    decryptor = Cipher(algorithms.AES(_key(passphrase, header)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(raw_header)
    while remaining > 0:
        chunk = src.read(min(CHUNK, remaining))
        if not chunk:
            raise damaged
        remaining -= len(chunk)
        out.write(decryptor.update(chunk))
    try:
        out.write(decryptor.finalize())
    except InvalidTag:
        raise WrongPassphrase(
            f"Password errata o file danneggiato: {shown} non si apre. Nessuna modifica è stata fatta."
        ) from None
