"""Crash safety: SIGKILL at random points never corrupts a file nor leaves half a transaction in it.

Each operation runs in ``crash_runner.py`` (a separate interpreter that forks one child per kill
point); this module checks every crashed file: SQLite's integrity check, the audit chain, that the
damaged-file detection of ``open_for_work`` does not cry wolf, that the file opens again for work, and
that its content is exactly the last committed state or the state of the transaction in flight.
The seed is fixed for reproducible CI; ``RELIABILITY_SEED`` overrides it to explore new points, and
``VALUTAZIONE_SOAK=1`` multiplies the points by ``SOAK_FACTOR``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import scenario
from valutazione import backups
from valutazione import db as dbmod
from valutazione.db import open_database

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "crash_runner.py"
SEED = int(os.environ.get("RELIABILITY_SEED", "20180301"))
SOAK = os.environ.get("VALUTAZIONE_SOAK") == "1"
SOAK_FACTOR = 8  # 132 points in CI, 1,056 in soak mode
POINTS = {
    op: n * (SOAK_FACTOR if SOAK else 1)
    for op, n in {"import": 24, "save": 30, "approve": 24, "migrate": 30, "merge": 24}.items()
}


def run_crashes(op: str, work: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VALUTAZIONE_DATA_DIR": str(work / "dati-utente")}
    proc = subprocess.run(
        [sys.executable, str(RUNNER), op, str(work / op), str(SEED), str(POINTS[op])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240 * (SOAK_FACTOR if SOAK else 1),
        check=False,
    )
    assert proc.returncode == 0, f"crash runner for {op} failed:\n{proc.stdout}\n{proc.stderr}"
    results: dict[str, Any] = json.loads((work / op / "results.json").read_text(encoding="utf-8"))
    return results


def allowed_states(side: Path, initial: str) -> tuple[str, str | None]:
    """(last committed fingerprint, fingerprint of the transaction in flight or None) from the side file.

    A line cut by the kill (no newline) is ignored: the child died before finishing that record.
    """
    committed, pending = initial, None
    text = side.read_text(encoding="utf-8")
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        record = json.loads(line)
        if record["kind"] == "committed":
            committed, pending = record["digest"], None
        else:
            pending = record["digest"]
    return committed, pending


def check_point(op: str, point: dict[str, Any], results: dict[str, Any]) -> str:
    """Every check on one crashed file; returns which of the two allowed states it holds."""
    where = f"{op} seed={results['seed']} punto {point['index']} ({point['mode']} {point['at']})"
    assert point["error"] is None, f"{where}: the operation failed before the kill:\n{point['error']}"
    path = Path(point["db"])
    # As the desktop would see the file right after the crash, hot WAL still beside it.
    assert backups.is_healthy(path), f"{where}: a crashed file is taken for a damaged one"
    assert scenario.integrity(path) == [("ok",)], f"{where}: integrity_check failed"
    committed, pending = allowed_states(Path(point["side"]), results["initial"])
    digest = scenario.file_digest(path)
    assert digest in (committed, pending), f"{where}: the file holds a state that was never committed"
    chain = scenario.chain_of(path)
    assert chain.ok, f"{where}: {chain.message}"
    if op == "migrate":
        # Opening again with the new version completes the upgrade from whichever state survived.
        old = dbmod.MIGRATIONS
        dbmod.MIGRATIONS = Path(results["migrations"])
        try:
            open_database(path).close()
        finally:
            dbmod.MIGRATIONS = old
        assert scenario.file_digest(path) == results["after"], f"{where}: the resumed upgrade differs"
    else:
        open_database(path).close()
    return "in volo" if digest == pending and pending != committed else "confermato"


@pytest.mark.slow
@pytest.mark.parametrize("op", ["import", "save", "approve", "migrate", "merge"])
def test_sigkill_leaves_last_committed_state(op: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A kill -9 at any point leaves a sound file holding exactly the last committed (or in-flight) state."""
    results = run_crashes(op, tmp_path)
    if op == "migrate":
        assert results["after"] != results["initial"], "the test migration changed nothing"
    outcomes = [check_point(op, p, results) for p in results["points"]]
    killed = sum(p["killed"] for p in results["points"])
    with capsys.disabled():
        print(
            f"\n[crash] {op}: {len(outcomes)} punti (seed {SEED}), {killed} uccisi, "
            f"{outcomes.count('in volo')} con la transazione in volo conservata, "
            f"{results['statements']} istruzioni SQL e {results['seconds']} s per l'operazione intera"
        )
    # Most points must really interrupt the work, or the test proves little.
    assert killed >= len(outcomes) * 0.7
