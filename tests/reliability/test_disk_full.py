"""Full disk: a save or an import that cannot be written fails clearly and loses nothing already saved.

The file lives on a real, small tmpfs (mounted as root, as ``read_only_medium`` does in
``tests/valutazione/test_filelock_backups.py``), filled up with a ballast file; without root the tests
skip, since no other way gives SQLite a genuine ENOSPC.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.reliability import scenario
from valutazione import storage_errors
from valutazione.bando import Bando
from valutazione.db import Database, create_database
from valutazione.errors import ValutazioneError
from valutazione.importers.domande import import_domande
from valutazione.models import Domanda
from valutazione.services import sheets
from valutazione.services.sheets import Mark

BIG_TEXT = "Motivazione lunghissima, dettagliata e ripetuta. " * 8000  # ~400 kB: needs new pages


class SmallDisk:
    """A mounted tmpfs and a ballast file that fills it."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.ballast = mount / "zavorra.bin"

    def fill(self) -> None:
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (1 << 16, 1 << 12, 1 << 9, 1):
                try:
                    while os.write(fd, b"\0" * chunk):
                        pass
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("serve root per montare un tmpfs piccolo e riempirlo davvero")
    mount = tmp_path / "disco"
    mount.mkdir()
    # room for the committee's file (1.1 MB empty: a page of 16 KiB for each table and index), its journal
    # and the import below once the ballast is gone
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4M", "none", str(mount)], check=True)
    try:
        yield SmallDisk(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def db_on_small_disk(small_disk: SmallDisk, milano: Bando) -> Iterator[tuple[Database, dict[str, int]]]:
    database = create_database(small_disk.mount / "bando.valutazione", milano)
    ids = scenario.committee_file(database, 2)
    try:
        yield database, ids
    finally:
        database.close()


def _first_domanda(db: Database) -> tuple[int, str]:
    with db.sessions() as s:
        d = s.query(Domanda).order_by(Domanda.id).first()
        assert d is not None
        return d.id, d.protocol


def _save(db: Database, member_id: int, domanda_id: int, text: str) -> None:
    with db.sessions.begin() as s:
        sheets.save_draft(s, member_id, domanda_id, {"A.1": Mark(Decimal("0.8"), text)})


def test_save_on_full_disk_keeps_earlier_work(
    db_on_small_disk: tuple[Database, dict[str, int]], small_disk: SmallDisk
) -> None:
    """A draft that cannot be written raises a storage error; earlier drafts survive and saving works again."""
    db, ids = db_on_small_disk
    domanda_id, protocol = _first_domanda(db)
    member = ids[scenario.BRUNO]
    _save(db, member, domanda_id, "Prima stesura, salvata.")
    before = scenario.file_digest(db.path)
    small_disk.fill()
    with pytest.raises(storage_errors.DiskFullError, match="Spazio su disco esaurito"):
        _save(db, member, domanda_id, BIG_TEXT)
    small_disk.free()
    assert scenario.integrity(db.path) == [("ok",)]
    assert scenario.file_digest(db.path) == before
    _save(db, member, domanda_id, BIG_TEXT)  # the same open file saves once there is room
    with db.sessions() as s:
        assert sheets.own_sheet(s, member, domanda_id).mark("A.1") == Mark(Decimal("0.8"), BIG_TEXT.strip())
    assert scenario.chain_of(db.path).ok and protocol


def test_installed_translation_gives_italian_disk_full_error(
    db_on_small_disk: tuple[Database, dict[str, int]], small_disk: SmallDisk
) -> None:
    """With ``storage_errors.install`` on the engine the user gets DiskFullError in Italian, nothing lost."""
    db, ids = db_on_small_disk
    domanda_id, _ = _first_domanda(db)
    before = scenario.file_digest(db.path)
    small_disk.fill()
    with pytest.raises(storage_errors.DiskFullError, match="Spazio su disco esaurito.*integri"):
        _save(db, ids[scenario.CARLA], domanda_id, BIG_TEXT)
    with pytest.raises(storage_errors.DiskFullError), storage_errors.translate_storage_errors():
        _save(db, ids[scenario.CARLA], domanda_id, BIG_TEXT)
    small_disk.free()
    assert scenario.integrity(db.path) == [("ok",)] and scenario.file_digest(db.path) == before


def test_core_save_on_full_disk_raises_valutazione_error(
    db_on_small_disk: tuple[Database, dict[str, int]], small_disk: SmallDisk
) -> None:
    """The core itself turns a full disk into a ValutazioneError the GUI and CLI show as text."""
    db, ids = db_on_small_disk
    domanda_id, _ = _first_domanda(db)
    small_disk.fill()
    with pytest.raises(ValutazioneError, match="[Ss]pazio"):
        _save(db, ids[scenario.BRUNO], domanda_id, BIG_TEXT)


def test_import_on_full_disk_writes_nothing(
    db_on_small_disk: tuple[Database, dict[str, int]], small_disk: SmallDisk, milano: Bando, tmp_path: Path
) -> None:
    """An import that runs out of space leaves the file exactly as before; after freeing space it succeeds."""
    db, _ = db_on_small_disk
    csv = scenario.applications_csv(tmp_path / "domande.csv", 500, 400, milano)
    csv.write_text(
        csv.read_text(encoding="utf-8").replace("Abstract del progetto", "Abstract " + "x" * 3000), encoding="utf-8"
    )
    before = scenario.file_digest(db.path)
    small_disk.fill()
    with pytest.raises(storage_errors.DiskFullError, match="Spazio su disco esaurito"):
        with db.sessions.begin() as s:
            import_domande(s, csv, actor=scenario.CHAIR)
    small_disk.free()
    assert scenario.integrity(db.path) == [("ok",)]
    assert scenario.file_digest(db.path) == before
    with db.sessions.begin() as s:
        assert import_domande(s, csv, actor=scenario.CHAIR).imported == 400
    assert scenario.chain_of(db.path).ok


def test_translation_of_storage_messages() -> None:
    """Each SQLite storage failure maps to its Italian error; anything else is left alone."""
    import sqlite3

    cases = {
        "database or disk is full": storage_errors.DiskFullError,
        "disk I/O error": storage_errors.DiskIOError,
        "attempt to write a readonly database": storage_errors.ReadOnlyStorageError,
    }
    for text, kind in cases.items():
        wrapped = OperationalError("INSERT", {}, sqlite3.OperationalError(text))
        assert isinstance(storage_errors.translate(wrapped), kind)
        assert isinstance(storage_errors.translate(sqlite3.OperationalError(text)), kind)
    assert storage_errors.translate(sqlite3.OperationalError("no such table: x")) is None
    with pytest.raises(sqlite3.OperationalError), storage_errors.translate_storage_errors():
        raise sqlite3.OperationalError("no such table: x")
