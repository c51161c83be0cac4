"""Outside text files read within limits: size known before reading, one encoding, no hidden characters.

A file from a platform or a member arrives as evidence and as an attack surface at once. Three rules,
shared by every importer of delimited text (applications, bulk scores):

* the size is checked with ``os.stat`` before a byte is read, and only regular files are read;
* the encoding is decided for the whole file from evidence in its lines: UTF-8 (with or without BOM),
  or Windows-1252 when *no* line is UTF-8 text. A file where some lines are UTF-8 and others are not is
  refused naming those lines: decoding it all as Windows-1252 turns every accented letter of the UTF-8
  lines into mojibake without a word;
* control characters (NUL, ESC of terminal escapes...) and bidirectional overrides (which make
  ``gpj.exe`` look like ``exe.jpg``, or reorder an amount on screen) are never stored:
  ``unsafe_character`` names the first one so the caller can refuse the row and field.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from valutazione.errors import ImportRefusedError, os_error_reason

MAX_IMPORT_BYTES = 50 * 1024 * 1024  # 50 MB: ten times a 5,000-application export with long abstracts
MAX_LISTED_LINES = 10
CHUNK = 1 << 20

# Explicit embedding/override/isolate controls. LRM/RLM marks (U+200E/F) are harmless and stay.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode category Cc (C0, DEL, C1) except tab and line breaks, which abstracts legitimately hold.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def check_regular_file(path: Path, limit: int = MAX_IMPORT_BYTES) -> int:
    """The size of ``path``; refuses a missing file, a folder, a device or FIFO, or a file above ``limit``.

    ``os.stat`` follows links and never opens the file, so ``/dev/zero`` or a FIFO are refused before
    anything could block or read forever.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ImportRefusedError(f"Impossibile leggere «{path}»: {os_error_reason(exc)}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ImportRefusedError(f"«{path}» non è un file ordinario (cartella, dispositivo o coda): non importato.")
    if info.st_size > limit:
        raise ImportRefusedError(
            f"«{path.name}» è di {_mb(info.st_size)}, oltre il limite di {_mb(limit)} per un'importazione: "
            "dividere il file in parti più piccole."
        )
    return info.st_size


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


@dataclass(frozen=True)
class Encoding:
    """The codec for the whole file and the SHA-256 of its bytes (computed in the same pass)."""

    codec: str
    sha256: str


def detect_encoding(fh: BinaryIO, name: str) -> Encoding:
    """Reads the binary file once, line by line, and decides its encoding from the lines' evidence."""
    digest = hashlib.sha256()
    utf8_lines = 0
    bad_utf8: list[int] = []
    bad_cp1252: list[int] = []
    first = True
    bom = False
    for number, line in enumerate(fh, start=1):
        digest.update(line)
        if first:
            if line.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise ImportRefusedError(
                    f"«{name}» è in UTF-16 («testo Unicode» di Excel): salvarlo come «CSV UTF-8» e riprovare."
                )
            bom = line.startswith(b"\xef\xbb\xbf")
            line = line[3:] if bom else line
            first = False
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_utf8.append(number)
            if CP1252_UNDEFINED.intersection(line):
                bad_cp1252.append(number)
    if not bad_utf8:
        return Encoding("utf-8-sig" if bom else "utf-8", digest.hexdigest())
    if utf8_lines or bom:
        raise ImportRefusedError(
            f"«{name}» mescola due codifiche: è UTF-8 tranne {_lines(bad_utf8)}, scritte in un'altra "
            "codifica (probabilmente Windows-1252). Nessun dato importato: salvare di nuovo il file "
            "tutto in UTF-8."
        )
    if bad_cp1252:
        raise ImportRefusedError(
            f"«{name}» non è un testo leggibile (né UTF-8 né Windows-1252): byte non validi {_lines(bad_cp1252)}."
        )
    return Encoding("cp1252", digest.hexdigest())


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED_LINES])
    more = f" e altre {len(numbers) - MAX_LISTED_LINES}" if len(numbers) > MAX_LISTED_LINES else ""
    return f"{'alla riga' if len(numbers) == 1 else 'alle righe'} {shown}{more} del file"


def detect_encoding_of(data: bytes, name: str) -> Encoding:
    """``detect_encoding`` for content already in memory."""
    import io

    return detect_encoding(io.BytesIO(data), name)


def unsafe_character(text: str) -> str | None:
    """An Italian description of the first control or bidirectional character in ``text``, else None."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    ch = found.group()
    if ch in BIDI_CONTROLS:
        return f"un carattere che inverte la direzione del testo (U+{ord(ch):04X})"
    what = {"\x00": " (NUL)", "\x1b": " (ESC, sequenza di escape del terminale)"}.get(ch, "")
    return f"un carattere di controllo U+{ord(ch):04X}{what}"


def first_unsafe(cells: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, description) of the first ``(field, text)`` holding an unsafe character."""
    for field, text in cells:
        found = unsafe_character(text)
        if found is not None:
            return field, found
    return None


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
