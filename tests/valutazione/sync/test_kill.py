"""A merge killed midway (power cut, task manager) leaves the chair's file as before, and can be redone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.valutazione.sync.helpers import build_chair, dump, export, give_back, key_for, merge, work_offline
from valutazione.bando import Bando
from valutazione.db import open_database

ROOT = Path(__file__).resolve().parents[3]

MERGE_AND_HANG = """
import sys, time
from pathlib import Path
from tests.builders import confirmed_key
from valutazione.db import open_database
from valutazione.sync.merge import merge_return

db = open_database(sys.argv[1])

def progress(done, total):
    if done * 2 >= total:
        print("a meta", flush=True)
        time.sleep(120)

with db.sessions.begin() as s:
    merge_return(s, Path(sys.argv[2]), confirmed_key(Path(sys.argv[2])), progress=progress)
"""


def test_merge_killed_inside_the_transaction_changes_nothing(tmp_path: Path, milano: Bando) -> None:
    """SIGKILL in the middle of a merge: dump unchanged, integrity ok, and the same merge then succeeds."""
    chair = build_chair(tmp_path / "presidente" / "bando.valutazione", milano)
    try:
        pkg = export(chair, "Bruno Verdi", tmp_path / "bruno" / "pacchetto.valpkg")
        work_offline(pkg, "Bruno Verdi")
        ret = give_back(pkg, tmp_path / "bruno" / "ritorno.valret", key_for(tmp_path, "Bruno Verdi"))
    finally:
        chair.close()
    path = chair.path
    before = dump(path)
    script = tmp_path / "merge_and_hang.py"
    script.write_text(MERGE_AND_HANG, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), str(ret)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "a meta", proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert dump(path) == before
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    chair = open_database(path)
    try:
        report = merge(chair, ret)
        assert report.changed > 0 and not report.already_merged
        assert dump(path) != before
    finally:
        chair.close()
