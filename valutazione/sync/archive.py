"""The zip container shared by packages and returns: strict reading, atomic writing.

Everything read here comes from a USB stick or an e-mail, so it is untrusted: only the expected
entry names are read, sizes are bounded before reading (no zip bomb), and every failure — not a zip,
truncated, a bad CRC — becomes one Italian message that says the file is unusable, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from valutazione.errors import ValutazioneError

MANIFEST = "manifest.json"
CHUNK = 1 << 20


class PackageError(ValutazioneError):
    """A package or return that cannot be used; nothing was changed."""


def unusable(path: Path, what: str, why: str) -> PackageError:
    return PackageError(f"«{path.name}» non è {what} utilizzabile: {why}. Nessuna modifica è stata fatta.")


@contextmanager
def open_zip(path: Path, what: str, source: IO[bytes] | None = None) -> Iterator[zipfile.ZipFile]:
    """Opens ``path`` (or ``source``, its unsealed content) as a zip; every low-level failure is a ``PackageError``."""
    if source is None and not path.is_file():
        raise PackageError(f"Il file «{path}» non esiste.")
    try:
        with zipfile.ZipFile(source if source is not None else path) as zf:
            yield zf
    except zipfile.BadZipFile as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc
    except (EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc


def read_entry(zf: zipfile.ZipFile, path: Path, name: str, limit: int, what: str) -> bytes:
    """The bytes of one entry, refused when missing or larger than ``limit`` (checked before reading)."""
    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise unusable(path, what, f"manca «{name}»") from exc
    if info.file_size > limit:
        raise unusable(path, what, f"«{name}» è troppo grande")
    try:
        data = zf.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc
    if len(data) != info.file_size:
        raise unusable(path, what, "file troncato")
    return data


def read_json(
    zf: zipfile.ZipFile, path: Path, name: str, what: str, limit: int = 64 << 20
) -> tuple[bytes, dict[str, Any]]:
    """Raw bytes and parsed object of a JSON entry (raw bytes are what signatures cover)."""
    raw = read_entry(zf, path, name, limit, what)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise unusable(path, what, f"«{name}» non è un JSON valido") from exc
    if not isinstance(value, dict):
        raise unusable(path, what, f"«{name}» non ha la forma attesa")
    return raw, value


def extract_entry(zf: zipfile.ZipFile, path: Path, name: str, dest: Path, what: str) -> str:
    """Streams one entry to ``dest`` (fsynced) and returns its SHA-256; ``dest`` is removed on failure."""
    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise unusable(path, what, f"manca «{name}»") from exc
    digest = hashlib.sha256()
    try:
        with zf.open(info) as src, open(dest, "xb") as out:
            _copy(src, out, digest)
            out.flush()
            os.fsync(out.fileno())
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        dest.unlink(missing_ok=True)
        raise unusable(path, what, "file troncato o danneggiato") from exc
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _copy(src: IO[bytes], out: IO[bytes], digest: Any) -> None:
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_zip(dest: Path, entries: list[tuple[str, bytes | Path]]) -> None:
    """Writes the zip beside ``dest`` and renames it in place, so a half-written file never has the name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, content in entries:
                if isinstance(content, Path):
                    zf.write(content, name)
                else:
                    zf.writestr(name, content)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
