"""The zip container shared by packages and returns: strict reading, atomic writing.

Everything read here comes from a USB stick or an e-mail, so it is untrusted: only the expected
entry names are read, and every failure — not a zip, truncated, a bad CRC — becomes one Italian
message that says the file is unusable, never a traceback.

No zip bomb: when the zip is opened its central directory is checked — at most ``MAX_ENTRIES``
entries, no name twice, at most ``MAX_TOTAL`` bytes once unpacked, no large entry compressed more
than ``MAX_RATIO`` to one — and then every entry is counted again while it is unpacked, so a
directory that lies about sizes stops at what it declared (and never past the limits) instead of
filling the disk. A genuine package (a SQLite file of text and PDFs) compresses about 30 to one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from valutazione.errors import ValutazioneError

MANIFEST = "manifest.json"
CHUNK = 1 << 20
MAX_ENTRIES = 16  # a package has three entries, a return two
MAX_TOTAL = 4 << 30  # unpacked: hundreds of applications with their attachments fit
MAX_RATIO = 200  # unpacked / packed, for entries larger than RATIO_FROM
RATIO_FROM = 8 << 20


class PackageError(ValutazioneError):
    """A package or return that cannot be used; nothing was changed."""


def unusable(path: Path, what: str, why: str) -> PackageError:
    return PackageError(f"«{path.name}» non è {what} utilizzabile: {why}. Nessuna modifica è stata fatta.")


@contextmanager
def open_zip(path: Path, what: str, source: IO[bytes] | None = None) -> Iterator[zipfile.ZipFile]:
    """Opens ``path`` (or ``source``, its unsealed content) as a zip; every low-level failure is a ``PackageError``."""
    if source is None and not path.is_file():
        if path.is_dir():
            raise PackageError(f"«{path}» è una cartella, non {what}: indicare il file.")
        raise PackageError(f"Il file «{path}» non esiste.")
    try:
        with zipfile.ZipFile(source if source is not None else path) as zf:
            check_directory(zf, path, what)
            yield zf
    except zipfile.BadZipFile as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc
    except (EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc


def check_directory(zf: zipfile.ZipFile, path: Path, what: str) -> None:
    """Refuses a zip bomb from its central directory, before a byte is unpacked."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise unusable(path, what, f"contiene {len(infos)} elementi (al massimo {MAX_ENTRIES})")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise unusable(path, what, "contiene due elementi con lo stesso nome")
    for info in infos:
        if info.flag_bits & 0x1:  # the encryption bit: ours are sealed whole (sealed.py), never per entry
            raise unusable(path, what, "contiene elementi cifrati con un metodo non previsto")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise unusable(path, what, "usa un metodo di compressione non previsto")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        raise unusable(path, what, f"una volta estratto occuperebbe {_size(total)} (al massimo {_size(MAX_TOTAL)})")
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            ratio = f"{info.file_size // max(info.compress_size, 1):,}".replace(",", ".")
            raise unusable(
                path,
                what,
                f"«{info.filename[:100]}» è compresso {ratio} a 1 (al massimo {MAX_RATIO} a 1): "
                "è un file costruito per riempire il disco",
            )


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB".replace(".", ",") if n >= 1 << 30 else f"{n / (1 << 20):.1f} MB".replace(".", ",")


def read_entry(zf: zipfile.ZipFile, path: Path, name: str, limit: int, what: str) -> bytes:
    """The bytes of one entry, refused when missing or larger than ``limit`` (checked before and while reading)."""
    info = _entry(zf, path, name, what)
    if info.file_size > limit:
        raise unusable(path, what, f"«{name}» è troppo grande")
    parts: list[bytes] = []
    try:
        with zf.open(info) as src:
            _stream(src, info, path, what, parts.append)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, RuntimeError, NotImplementedError) as exc:
        raise unusable(path, what, "file troncato o danneggiato") from exc
    data = b"".join(parts)
    if len(data) != info.file_size:
        raise unusable(path, what, "file troncato")
    return data


def _entry(zf: zipfile.ZipFile, path: Path, name: str, what: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(name)
    except KeyError as exc:
        raise unusable(path, what, f"manca «{name}»") from exc


def _stream(src: IO[bytes], info: zipfile.ZipInfo, path: Path, what: str, sink: Any) -> None:
    """Feeds ``sink`` chunk by chunk, stopping as soon as the entry gives more than its directory declared."""
    done = 0
    declared = min(info.file_size, MAX_TOTAL)
    while chunk := src.read(CHUNK):
        done += len(chunk)
        if done > declared:
            raise unusable(path, what, f"«{info.filename[:100]}» è più grande di quanto dichiara il suo indice")
        sink(chunk)


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
    if _SURROGATE_ESCAPE.search(raw) and _lone_surrogate(value):
        raise unusable(path, what, f"«{name}» contiene un carattere non valido (metà di una coppia UTF-16)")
    return raw, value


# JSON may spell half of a UTF-16 pair as an escape (``"\ud800"``): Python decodes it to a string no UTF-8
# can hold, and the merge crashed hashing it with Python's UnicodeEncodeError. A whole pair (an emoji
# written as two escapes) is one character once decoded and is fine: only a half left alone is refused.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value holds, in any key or string, a UTF-16 surrogate left alone."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def extract_entry(zf: zipfile.ZipFile, path: Path, name: str, dest: Path, what: str) -> str:
    """Streams one entry to ``dest`` (fsynced) and returns its SHA-256; ``dest`` is removed on failure.

    At most the size the zip's directory declared (itself within the limits) is ever written.
    """
    info = _entry(zf, path, name, what)
    digest = hashlib.sha256()
    try:
        with zf.open(info) as src, open(dest, "xb") as out:

            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                out.write(chunk)

            _stream(src, info, path, what, sink)
            out.flush()
            os.fsync(out.fileno())
    except (zipfile.BadZipFile, EOFError, zlib.error, RuntimeError, NotImplementedError) as exc:
        dest.unlink(missing_ok=True)
        raise unusable(path, what, "file troncato o danneggiato") from exc
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise PackageError(
            f"Impossibile estrarre «{path.name}» in «{dest.parent}»: {exc.strerror or exc} "
            "(spazio su disco esaurito o cartella non scrivibile?). Nessuna modifica è stata fatta."
        ) from exc
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


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
