"""The member's working file is written fresh: no stale journal beside it is ever replayed into it."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import chair_signed, export
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.sync.package import read_manifest

MEMBER = "Bruno Verdi"


def live_journal(db_file: Path, into: Path) -> list[Path]:
    """A real ``-wal`` and ``-shm`` holding uncheckpointed pages of ``db_file``, copied to ``into``."""
    work = into / "sorgente.db"
    shutil.copy(db_file, work)
    con = sqlite3.connect(work)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA wal_autocheckpoint=0")
        con.execute("CREATE TABLE intruso (x TEXT)")
        con.execute("INSERT INTO intruso VALUES ('pagina lasciata da un altro file')")
        con.commit()
        copies = []
        for suffix in ("-wal", "-shm"):
            copy = into / f"copia{suffix}"
            shutil.copy(work.with_name(work.name + suffix), copy)
            copies.append(copy)
    finally:
        con.close()
    return copies


def plant(journals: list[Path], beside: Path) -> None:
    for journal, suffix in zip(journals, ("-wal", "-shm"), strict=True):
        shutil.copy(journal, beside.with_name(beside.name + suffix))


def test_nul_database_with_stale_journal_beside_is_refused(chair: Database, tmp_path: Path) -> None:
    """The fuzzer's case: a one-NUL-byte database, signed, with a live -wal planted beside its name: refused."""
    first = open_confirmed(export(chair, MEMBER, tmp_path / "uno.valpkg"))
    journals = live_journal(first.path, tmp_path)
    laptop = tmp_path / "portatile"
    genuine = export(chair, MEMBER, tmp_path / "vero.valpkg")
    hostile = chair_signed(chair, genuine, tmp_path / "nul.valpkg", database=b"\x00")
    target = laptop / "nul.valutazione-commissario"
    laptop.mkdir()
    plant(journals, target)
    plant(journals, target.with_name(target.name + ".estrazione"))  # the name earlier versions unpacked to
    with pytest.raises(ValutazioneError, match="non è un file di valutazione"):
        open_confirmed(hostile, laptop)
    assert not target.exists()
    assert sorted(p.name for p in laptop.iterdir()) == sorted(
        f"{name}{suffix}" for name in (target.name, target.name + ".estrazione") for suffix in ("-wal", "-shm")
    )  # only what was planted; nothing of ours


def test_genuine_package_beside_stale_journal_is_exactly_what_the_chair_signed(chair: Database, tmp_path: Path) -> None:
    """A journal left beside the working file's name is dropped: the new file is byte for byte the signed one."""
    first = open_confirmed(export(chair, MEMBER, tmp_path / "uno.valpkg"))
    journals = live_journal(first.path, tmp_path)
    laptop = tmp_path / "portatile"
    pkg = export(chair, MEMBER, tmp_path / "due.valpkg")
    target = laptop / "due.valutazione-commissario"
    laptop.mkdir()
    plant(journals, target)
    target.with_name(target.name + "-journal").write_bytes(b"giornale orfano")
    opened = open_confirmed(pkg, laptop)
    assert opened.created and opened.path == target
    assert hashlib.sha256(target.read_bytes()).hexdigest() == read_manifest(pkg).content_sha256
    assert not any(target.with_name(target.name + s).exists() for s in ("-wal", "-shm", "-journal"))
    con = sqlite3.connect(target)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'intruso'").fetchone() == (0,)
    finally:
        con.close()


def test_wal_mode_database_is_refused(chair: Database, tmp_path: Path) -> None:
    """A package database in WAL mode (never written by the chair) is refused: it would read a -wal beside it."""
    genuine = export(chair, MEMBER, tmp_path / "vero.valpkg")
    work = tmp_path / "wal.db"
    import zipfile

    with zipfile.ZipFile(genuine) as zf:
        work.write_bytes(zf.read("commissario.valutazione"))
    con = sqlite3.connect(work)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    hostile = chair_signed(chair, genuine, tmp_path / "wal.valpkg", database=work.read_bytes())
    with pytest.raises(ValutazioneError, match="non è un file di valutazione"):
        open_confirmed(hostile, tmp_path / "portatile")
    assert not (tmp_path / "portatile").exists()  # the folder made for it is gone too


def test_working_file_is_never_replaced(chair: Database, tmp_path: Path) -> None:
    """Opening again keeps the member's file as it is (same inode, same bytes), even after a day's work."""
    pkg = export(chair, MEMBER, tmp_path / "vero.valpkg")
    opened = open_confirmed(pkg)
    con = sqlite3.connect(opened.path)
    con.execute("CREATE TABLE appunti (x TEXT)")
    con.commit()
    con.close()
    before = (opened.path.stat().st_ino, opened.path.read_bytes())
    assert not open_confirmed(pkg).created
    assert (opened.path.stat().st_ino, opened.path.read_bytes()) == before


def test_database_failing_only_the_full_integrity_check_is_refused(chair: Database, tmp_path: Path) -> None:
    """Soak of 28/11/2026: a database whose index no longer matches its table passes SQLite's quick_check but
    not integrity_check, and was accepted as a working file; now it is refused and nothing is left."""
    import zipfile

    genuine = export(chair, MEMBER, tmp_path / "vero.valpkg")
    work = tmp_path / "indice.db"
    with zipfile.ZipFile(genuine) as zf:
        work.write_bytes(zf.read("commissario.valutazione"))
    con = sqlite3.connect(work)
    con.execute("PRAGMA writable_schema=ON")
    con.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_audit_action ON audit (actor)' WHERE name = 'ix_audit_action'"
    )
    con.commit()
    con.close()
    con = sqlite3.connect(work)
    try:
        assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    finally:
        con.close()
    hostile = chair_signed(chair, genuine, tmp_path / "indice.valpkg", database=work.read_bytes())
    with pytest.raises(ValutazioneError, match="la base dati contenuta è danneggiata"):
        open_confirmed(hostile, tmp_path / "portatile")
    assert not (tmp_path / "portatile").exists()
