"""Zip files written byte by byte, as an attacker would: any declared size, any number of entries, bombs.

``zipfile`` refuses to write a directory that lies, so hostile archives are assembled here from raw
deflate streams, with the sizes in the central directory chosen by the test.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

DEFLATED = 8
STORED = 0


@dataclass(frozen=True)
class RawEntry:
    name: str
    data: bytes  # as stored in the file (already compressed when method is DEFLATED)
    crc: int
    file_size: int  # what the directory declares once unpacked
    method: int = DEFLATED
    compress_size: int | None = None  # declared; the real length of ``data`` when None
    flags: int = 0x800  # general purpose bits: UTF-8 names; 0x1 would say "encrypted"


def plain(name: str, content: bytes) -> RawEntry:
    """An honest deflated entry."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return RawEntry(name, c.compress(content) + c.flush(), zlib.crc32(content), len(content))


def zeros_bomb(name: str, megabytes: int) -> RawEntry:
    """``megabytes`` MB of zeros deflated to about a thousandth of that, built in a second or two.

    A full flush resets the compressor, so the deflated form of each megabyte is the same bytes and the
    stream is one block repeated, closed by an empty final block.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    stream = block * megabytes + c.flush()
    crc = 0
    zero = bytes(1 << 20)
    for _ in range(megabytes):
        crc = zlib.crc32(zero, crc)
    return RawEntry(name, stream, crc, megabytes << 20)


def write(path: Path, entries: list[RawEntry]) -> Path:
    """The archive with local headers, data and a central directory exactly as the entries declare."""
    body = bytearray()
    directory = bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        declared_packed = len(e.data) if e.compress_size is None else e.compress_size
        offset = len(body)
        body += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            e.flags,
            e.method,
            0,
            0x21,
            e.crc,
            declared_packed,
            e.file_size,
            len(name),
            0,
        )
        body += name + e.data
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            e.flags,
            e.method,
            0,
            0x21,
            e.crc,
            declared_packed,
            e.file_size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path
