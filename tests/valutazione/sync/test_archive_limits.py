"""Packages and returns are unpacked within limits: entries, total size, compression ratio, honest sizes."""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.builders import chair_fingerprint, open_confirmed
from tests.valutazione.sync import zipcraft
from tests.valutazione.sync.helpers import export, merge
from valutazione.audit import canonical_json
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.paths import user_data_dir
from valutazione.sync.archive import MAX_ENTRIES, MAX_TOTAL
from valutazione.sync.chair_key import chair_key
from valutazione.sync.manifest import CHAIR_SIGNATURE
from valutazione.sync.package import DB_ENTRY, MANIFEST
from valutazione.sync.returns import PAYLOAD, SIGNATURE

FILE_LIMIT = 64 << 20  # the child process may not write a file larger than this


def signed_manifest(chair: Database, pkg: Path, **changes: object) -> list[zipcraft.RawEntry]:
    """The genuine package's manifest (changed as asked) with a valid chair signature over it."""
    with zipfile.ZipFile(pkg) as zf:
        manifest = {**json.loads(zf.read(MANIFEST)), **changes}
    raw = canonical_json(manifest).encode("utf-8")
    with chair.sessions.begin() as s:
        signature = base64.b64encode(chair_key(s, "test").sign(raw)) + b"\n"
    return [zipcraft.plain(MANIFEST, raw), zipcraft.plain(CHAIR_SIGNATURE, signature)]


def open_in_child(pkg: Path) -> subprocess.CompletedProcess[str]:
    """``valutazione package open`` in a process that the kernel stops at the first file over FILE_LIMIT, the
    chair key's fingerprint confirmed (so that the contents, not the key, are what is refused)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "valutazione", "package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg))],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "PYTHONFAULTHANDLER": ""},
        timeout=300,
        check=False,
    )


def leftovers() -> list[Path]:
    return (
        [p for p in (user_data_dir() / "valutazioni").rglob("*") if p.is_file()]
        if (user_data_dir() / "valutazioni").exists()
        else []
    )


def test_three_megabyte_bomb_is_refused_before_writing(chair: Database, tmp_path: Path) -> None:
    """A 3 MB package unpacking to 3 GB is refused from its directory: exit 2, Italian, nothing written."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    bomb = zipcraft.zeros_bomb(DB_ENTRY, 3 * 1024)
    pkg = zipcraft.write(tmp_path / "bomba.valpkg", [*signed_manifest(chair, genuine), bomb])
    assert pkg.stat().st_size < 4 << 20
    done = open_in_child(pkg)
    assert done.returncode == 2, done.stderr
    assert "a 1 (al massimo 200 a 1)" in done.stderr and "Traceback" not in done.stderr
    assert leftovers() == []


def test_lying_directory_stops_at_what_it_declared(chair: Database, tmp_path: Path) -> None:
    """A directory declaring 1 MB for a 3 GB stream: unpacking stops at 1 MB, in a process limited to 64 MB."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    bomb = zipcraft.zeros_bomb(DB_ENTRY, 3 * 1024)
    liar = zipcraft.RawEntry(DB_ENTRY, bomb.data, bomb.crc, 1 << 20)
    pkg = zipcraft.write(tmp_path / "bugiardo.valpkg", [*signed_manifest(chair, genuine), liar])
    done = open_in_child(pkg)
    assert done.returncode == 2, done.stderr
    assert "non è un pacchetto di valutazione utilizzabile" in done.stderr and "Traceback" not in done.stderr
    assert leftovers() == []


def test_declared_total_over_the_limit_is_refused(chair: Database, tmp_path: Path) -> None:
    """Entries whose declared sizes add up past the limit are refused before anything is read."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    half = MAX_TOTAL // 2 + 1
    big = [zipcraft.RawEntry(f"x{i}", b"\x03\x00", 0, half, compress_size=half) for i in range(2)]
    pkg = zipcraft.write(tmp_path / "enorme.valpkg", [*signed_manifest(chair, genuine), *big])
    with pytest.raises(ValutazioneError, match="una volta estratto occuperebbe 4,0 GB"):
        open_confirmed(pkg)
    assert leftovers() == []


def test_too_many_entries_are_refused(chair: Database, tmp_path: Path) -> None:
    """More entries than a package or a return ever has: refused, naming the count."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    many = [zipcraft.plain(f"vuoto-{i}", b"") for i in range(MAX_ENTRIES)]
    pkg = zipcraft.write(tmp_path / "affollato.valpkg", [*signed_manifest(chair, genuine), *many])
    with pytest.raises(ValutazioneError, match=f"contiene {MAX_ENTRIES + 2} elementi"):
        open_confirmed(pkg)


def test_entry_named_twice_is_refused(chair: Database, tmp_path: Path) -> None:
    """Two entries with one name (a reader could take either) make the package unusable."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    with zipfile.ZipFile(genuine) as zf:
        database = zf.read(DB_ENTRY)
    entries = [*signed_manifest(chair, genuine), zipcraft.plain(DB_ENTRY, database), zipcraft.plain(DB_ENTRY, b"x")]
    pkg = zipcraft.write(tmp_path / "doppio.valpkg", entries)
    with pytest.raises(ValutazioneError, match="due elementi con lo stesso nome"):
        open_confirmed(pkg)


def test_genuine_package_written_by_hand_still_opens(chair: Database, tmp_path: Path) -> None:
    """The crafted writer itself is sound: the genuine entries, rewritten through it, open normally."""
    genuine = export(chair, "Bruno Verdi", tmp_path / "vero.valpkg")
    with zipfile.ZipFile(genuine) as zf:
        content = {name: zf.read(name) for name in zf.namelist()}
    pkg = zipcraft.write(tmp_path / "riscritto.valpkg", [zipcraft.plain(n, d) for n, d in content.items()])
    assert open_confirmed(pkg).created


def test_return_bomb_is_refused_and_the_chair_file_unchanged(chair: Database, tmp_path: Path) -> None:
    """A return whose payload unpacks 200 MB from 0.2 MB is refused by the merge before reading it."""
    bomb = zipcraft.zeros_bomb(PAYLOAD, 200)
    ret = zipcraft.write(tmp_path / "bomba.valret", [bomb, zipcraft.plain(SIGNATURE, b"AAAA\n")])
    before = chair.path.read_bytes()
    with pytest.raises(ValutazioneError, match="compresso"):
        merge(chair, ret)
    assert chair.path.read_bytes() == before


def test_file_size_limit_of_the_child_is_real(tmp_path: Path) -> None:
    """The 64 MB cap of the child processes above does stop a larger write (so their checks can fail)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))

    target = tmp_path / "grande.bin"
    script = f"with open({str(target)!r}, 'wb') as fh:\n    fh.write(bytes({FILE_LIMIT + 1}))"
    done = subprocess.run([sys.executable, "-c", script], preexec_fn=limit, capture_output=True, check=False)
    assert done.returncode != 0 and target.stat().st_size <= FILE_LIMIT


def test_sealed_file_larger_than_any_package_is_refused_before_reading(tmp_path: Path) -> None:
    """A sealed file is opened in memory: one over the unpacked limit is refused from its size (a sparse file)."""
    from valutazione.sync.sealed import MAGIC

    huge = tmp_path / "enorme.valpkg"
    with open(huge, "wb") as fh:
        fh.write(MAGIC)
        fh.truncate(MAX_TOTAL + 1)
    with pytest.raises(ValutazioneError, match="più grande di qualsiasi pacchetto"):
        open_confirmed(huge, passphrase="cavallo batteria graffetta")


def test_entry_flagged_as_encrypted_is_refused(chair: Database, tmp_path: Path) -> None:
    """Soak of 28/11/2026: one flipped bit marked a return's signature entry «encrypted» and the merge
    raised zipfile's RuntimeError; now the directory is refused with a message, the chair's file unchanged."""
    signature = zipcraft.plain(SIGNATURE, b"AAAA\n")
    flagged = zipcraft.RawEntry(signature.name, signature.data, signature.crc, signature.file_size, flags=0x801)
    ret = zipcraft.write(tmp_path / "cifrato.valret", [zipcraft.plain(PAYLOAD, b"{}"), flagged])
    before = chair.path.read_bytes()
    with pytest.raises(ValutazioneError, match="cifrati con un metodo non previsto"):
        merge(chair, ret)
    assert chair.path.read_bytes() == before


def test_unexpected_compression_method_is_refused(chair: Database, tmp_path: Path) -> None:
    """Only stored and deflated entries are read (bzip2 or LZMA would bring their own bombs)."""
    payload = zipcraft.plain(PAYLOAD, b"{}")
    lzma = zipcraft.RawEntry(payload.name, payload.data, payload.crc, payload.file_size, method=14)
    ret = zipcraft.write(tmp_path / "lzma.valret", [lzma, zipcraft.plain(SIGNATURE, b"AAAA\n")])
    with pytest.raises(ValutazioneError, match="metodo di compressione non previsto"):
        merge(chair, ret)
