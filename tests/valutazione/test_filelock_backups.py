"""One writer per file, read-only fallbacks, rotating backups and restore."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from valutazione import audit, backups
from valutazione.cli import main
from valutazione.db import Database, FileLockedError, ReadOnlyLocationError, open_database, open_for_user
from valutazione.filelock import why_read_only

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
from valutazione.db import open_database
db = open_database(sys.argv[1])
print("aperto", flush=True)
time.sleep(60)
"""


def _hold(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "aperto"
    return proc


def test_second_writer_gets_message_and_read_only(db: Database) -> None:
    """A second app opening a file open for writing elsewhere is told who has it and gets a read-only view."""
    path = db.path
    db.close()
    holder = _hold(path)
    try:
        with pytest.raises(FileLockedError, match="già aperto in scrittura da .*processo"):
            open_database(path)
        view, why = open_for_user(path)
        assert view.read_only and why and "sola lettura" in why
        assert view.bando().code == "MI3.3.1.e"
        view.close()
        assert main(["backups", str(path)]) == 0  # reading commands still work
    finally:
        holder.kill()
        holder.wait()
    open_database(path).close()  # the OS released the lock of the killed process


@contextmanager
def read_only_medium(tmp_path: Path, source: Path) -> Iterator[Path]:
    """A real read-only filesystem holding a copy of ``source`` (a remounted tmpfs as root, else chmod)."""
    mount = tmp_path / "supporto"
    mount.mkdir()
    if os.geteuid() == 0 and shutil.which("mount"):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8M", "none", str(mount)], check=True)
        try:
            shutil.copy(source, mount / source.name)
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            yield mount / source.name
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
    else:
        shutil.copy(source, mount / source.name)
        os.chmod(mount / source.name, 0o444)
        os.chmod(mount, 0o555)
        try:
            yield mount / source.name
        finally:
            os.chmod(mount, 0o755)


def test_read_only_medium_opened_read_only(db: Database, tmp_path: Path) -> None:
    """A file on a read-only medium is opened read-only with an explanation, and can be read."""
    db.close()
    with read_only_medium(tmp_path, db.path) as path:
        with pytest.raises(ReadOnlyLocationError, match="sola lettura"):
            open_database(path)
        view, why = open_for_user(path)
        try:
            assert view.read_only and why is not None and "sola lettura" in why
            assert view.bando().code == "MI3.3.1.e"
        finally:
            view.close()


def test_read_only_explanations(tmp_path: Path) -> None:
    """A writable local file needs no explanation; a file on /proc-like unwritable places gets one."""
    ok = tmp_path / "x.valutazione"
    ok.write_bytes(b"")
    assert why_read_only(ok) is None


def test_rotating_backup_and_restore(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backups rotate (newest kept), and restore puts the latest good copy back, keeping the current file aside."""
    monkeypatch.setattr(backups, "KEEP", 3)
    for i in range(5):
        backups.take_backup(db.path, f"prova {i}")
        time.sleep(0.002)
    found = backups.list_backups(db.path)
    assert [b.reason for b in found] == ["prova 4", "prova 3", "prova 2"]
    db.close()
    data = bytearray(db.path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # pages overwritten, as a failing disk would
    db.path.write_bytes(bytes(data))
    assert not backups.is_healthy(db.path)
    assert main(["restore", str(db.path)]) == 0
    out = capsys.readouterr().out
    assert "Ripristinato" in out and "conservato" in out
    reopened = open_database(db.path)
    assert reopened.bando().code == "MI3.3.1.e"
    reopened.close()
    assert list(db.path.parent.glob("*.sostituito-*"))


def test_open_for_work_backs_up_and_detects_damage(db: Database) -> None:
    """Opening for work takes a backup; a damaged file is refused with the newest good copy offered."""
    db.close()
    opened, why = backups.open_for_work(db.path)
    opened.close()
    assert why is None and len(backups.list_backups(db.path)) == 1
    data = bytearray(db.path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    db.path.write_bytes(bytes(data))
    with pytest.raises(backups.CorruptFileError, match="danneggiato.*copia integra") as info:
        backups.open_for_work(db.path)
    assert info.value.backup is not None


def test_reopening_an_unchanged_file_adds_no_backup(db: Database) -> None:
    """Opening backs up only a state not already backed up: reopening unchanged keeps one copy, a change adds one."""
    db.close()
    for _ in range(3):
        opened, _why = backups.open_for_work(db.path)
        opened.close()
    assert len(backups.list_backups(db.path)) == 1
    opened, _why = backups.open_for_work(db.path)
    with opened.sessions.begin() as s:
        audit.record(s, "presidente", "prova", "bando", 1)
    opened.close()
    opened, _why = backups.open_for_work(db.path)
    opened.close()
    assert len(backups.list_backups(db.path)) == 2


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_second_name_of_the_same_file_is_refused(db: Database, tmp_path: Path, link: str) -> None:
    """A symlink or hard link to a file open for writing elsewhere is refused, naming the holder."""
    path = db.path
    db.close()
    other_dir = tmp_path / "altra-cartella"
    other_dir.mkdir()
    alias = other_dir / "copia.valutazione"
    if link == "symlink":
        alias.symlink_to(path)
    else:
        os.link(path, alias)
    holder = _hold(path)
    try:
        with pytest.raises(FileLockedError, match=f"già aperto in scrittura da .*processo {holder.pid}"):
            open_database(alias)
        view, why = open_for_user(alias)
        assert view.read_only and why and f"processo {holder.pid}" in why
        view.close()
    finally:
        holder.kill()
        holder.wait()
    # The other way round: held through the second name, the first name is refused.
    holder = _hold(alias)
    try:
        with pytest.raises(FileLockedError, match=f"processo {holder.pid}"):
            open_database(path)
    finally:
        holder.kill()
        holder.wait()
    open_database(alias).close()
