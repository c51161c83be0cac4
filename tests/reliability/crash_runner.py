"""Crash runner: runs one operation many times in forked children and SIGKILLs each at a random point.

Usage: ``python tests/reliability/crash_runner.py OP WORKDIR SEED POINTS``. Run by
``test_crash.py`` as a separate interpreter; it imports the application once, then forks one child
per kill point so that a hundred crashes cost seconds, not a hundred interpreter start-ups. Half of the
points kill the child from inside, at the N-th SQL statement SQLite starts (a trace callback: between
any two statements, including BEGIN and COMMIT); the other half kill it from outside after a random
delay, which lands anywhere, fsync and WAL writes included.

Before each commit the child writes the fingerprint of its transaction's content to a side file
("pending"), and after the commit returns it writes it again ("committed"). The verifier then knows the
only two states the file may be in after the crash: the last committed one, or the in-flight one.
Everything the verifier needs is written to ``WORKDIR/results.json``; this script asserts nothing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.pool import Pool  # noqa: E402

from tests.builders import confirmed_key  # noqa: E402
from tests.reliability import scenario  # noqa: E402
from valutazione import db as dbmod  # noqa: E402
from valutazione.bando import Bando, default_template, load_bando  # noqa: E402
from valutazione.db import Database, create_database, open_database  # noqa: E402
from valutazione.importers.domande import import_domande  # noqa: E402
from valutazione.models import Domanda  # noqa: E402
from valutazione.services import ranking, sheets  # noqa: E402
from valutazione.services.sheets import Mark  # noqa: E402

MIGRATION = '''
"""reliability test: a column and a table filled from existing rows, as a real upgrade would."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("voto") as batch:
        batch.add_column(sa.Column("nota", sa.Text(), nullable=True))
    op.execute("UPDATE voto SET nota = 'migrata: ' || motivazione")
    op.create_table("storico_voto", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("voto_id", sa.Integer, sa.ForeignKey("voto.id")), sa.Column("testo", sa.Text))
    op.execute("INSERT INTO storico_voto (voto_id, testo) SELECT id, motivazione FROM voto")
    with op.batch_alter_table("scheda") as batch:
        batch.add_column(sa.Column("etichetta", sa.Text(), nullable=False, server_default="v2"))


def downgrade() -> None:
    pass
'''


class Hook:
    """The in-child kill switch: SIGKILL when SQLite starts the ``kill_at``-th statement."""

    kill_at: int | None = None
    count = 0
    paused = False


def _trace(_statement: str) -> None:
    if Hook.paused:
        return
    Hook.count += 1
    if Hook.kill_at is not None and Hook.count >= Hook.kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


@event.listens_for(Pool, "connect")
def _install_trace(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.set_trace_callback(_trace)


class Side:
    """The child's record of what it committed, one JSON line per event, flushed to the OS at once."""

    def __init__(self, path: Path | None) -> None:
        self.fh = open(path, "a", encoding="utf-8") if path else None

    def write(self, kind: str, digest: str) -> None:
        if self.fh is not None:
            self.fh.write(json.dumps({"kind": kind, "digest": digest}) + "\n")
            self.fh.flush()  # in the kernel now: a SIGKILL cannot lose it


def tx(db: Database, side: Side, work: Callable[[Session], object]) -> None:
    """One user action: the work, its fingerprint recorded as pending, commit, then recorded as committed."""
    with db.sessions.begin() as s:
        work(s)
        s.flush()
        Hook.paused = True
        digest = scenario.logical_digest(lambda sql: s.connection().exec_driver_sql(sql).fetchall())
        side.write("pending", digest)
        Hook.paused = False
    side.write("committed", digest)


def milano() -> Bando:
    return load_bando(default_template())


# --- operations: (setup in the runner, once) and (work in each child) -------------------------------


def setup_import(work: Path) -> tuple[Path, dict[str, Any]]:
    bando = milano()
    path = work / "import.valutazione"
    db = create_database(path, bando)
    with db.sessions.begin() as s:
        scenario.add_committee(s)
    db.close()
    files = [str(scenario.applications_csv(work / f"domande-{k}.csv", 1000 + 60 * k, 60, bando)) for k in range(4)]
    return path, {"files": files}


def run_import(path: Path, ctx: dict[str, Any], side: Side) -> None:
    db = open_database(path)
    try:
        for name in ctx["files"]:
            tx(db, side, lambda s, name=name: import_domande(s, name, actor=scenario.CHAIR))
    finally:
        db.close()


def setup_save(work: Path) -> tuple[Path, dict[str, Any]]:
    path = work / "schede.valutazione"
    db = create_database(path, milano())
    ids = scenario.committee_file(db, 3)
    db.close()
    return path, {"ids": ids}


def run_save(path: Path, ctx: dict[str, Any], side: Side) -> None:
    """The autosave path: one sub-criterion per transaction, then the submission of the sheet."""
    db = open_database(path)
    try:
        bando = db.bando()
        rng = random.Random(7)
        with db.sessions() as s:
            domande = [(d.id, d.protocol) for d in s.query(Domanda).order_by(Domanda.id)][:2]
        for name in scenario.SCORERS:
            member_id = ctx["ids"][name]
            for domanda_id, protocol in domande:
                for sub in bando.subcriteria:
                    mark = Mark(scenario.coefficient(rng, bando), scenario.motivazione(name, protocol, sub.code))
                    tx(
                        db,
                        side,
                        lambda s, m=member_id, d=domanda_id, c=sub.code, k=mark: sheets.save_draft(s, m, d, {c: k}),
                    )
                tx(db, side, lambda s, m=member_id, d=domanda_id: sheets.submit(s, m, d))
    finally:
        db.close()


def setup_approve(work: Path) -> tuple[Path, dict[str, Any]]:
    bando = milano()
    path = work / "graduatoria.valutazione"
    db = create_database(path, bando)
    ids = scenario.committee_file(db, 24)
    scenario.score_everything(db, ids, bando, seed=11)
    db.close()
    return path, {}


def run_approve(path: Path, ctx: dict[str, Any], side: Side) -> None:
    """Provisional, final, a renunciation and the sliding: four approvals, each one transaction."""
    db = open_database(path)
    try:
        tx(db, side, lambda s: ranking.approve(s, ranking.PROVISIONAL, scenario.CHAIR, "seduta 3"))
        tx(db, side, lambda s: ranking.approve(s, ranking.FINAL, scenario.CHAIR, "seduta 4"))

        def renounce(s: Session) -> None:
            rows = ranking.stored(ranking.latest(s)).rows  # type: ignore[arg-type]
            first = next(r.protocol for r in rows if r.position == 1)
            ranking.renounce(s, first, "rinuncia comunicata via PEC", scenario.CHAIR)

        tx(db, side, renounce)
        tx(db, side, lambda s: ranking.slide(s, scenario.CHAIR, "scorrimento dopo rinuncia"))
    finally:
        db.close()


def setup_migrate(work: Path) -> tuple[Path, dict[str, Any]]:
    bando = milano()
    path = work / "vecchio.valutazione"
    db = create_database(path, bando)
    ids = scenario.committee_file(db, 8)
    scenario.score_everything(db, ids, bando, seed=5, submit=False)
    db.close()
    folder = work / "migrations"
    shutil.copytree(dbmod.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_reliability.py").write_text(
        MIGRATION.format(down=dbmod.head_revision()), encoding="utf-8"
    )
    return path, {"migrations": str(folder)}


def run_migrate(path: Path, ctx: dict[str, Any], side: Side) -> None:
    """Opening an older file: backup, then the upgrade in one transaction (known end state from calibration)."""
    dbmod.MIGRATIONS = Path(ctx["migrations"])
    if ctx.get("after"):
        side.write("pending", ctx["after"])
    open_database(path).close()
    if ctx.get("after"):
        side.write("committed", ctx["after"])


def setup_merge(work: Path) -> tuple[Path, dict[str, Any]]:
    path, returns = scenario.offline_round(work, milano())
    return path, {"returns": [str(r) for r in returns]}


def run_merge(path: Path, ctx: dict[str, Any], side: Side) -> None:
    from valutazione.sync.merge import merge_return

    db = open_database(path)
    try:
        for ret in ctx["returns"]:
            tx(db, side, lambda s, ret=ret: merge_return(s, Path(ret), confirmed_key(Path(ret))))
    finally:
        db.close()


OPERATIONS: dict[
    str, tuple[Callable[[Path], tuple[Path, dict[str, Any]]], Callable[[Path, dict[str, Any], Side], None]]
] = {
    "import": (setup_import, run_import),
    "save": (setup_save, run_save),
    "approve": (setup_approve, run_approve),
    "migrate": (setup_migrate, run_migrate),
    "merge": (setup_merge, run_merge),
}


# --- the runner --------------------------------------------------------------------------------------


def _child(
    run: Callable[[Path, dict[str, Any], Side], None],
    path: Path,
    ctx: dict[str, Any],
    side_path: Path | None,
    kill_at: int | None,
    report: Path,
) -> None:
    """In the forked child: arm the switch, do the work, leave without running the runner's cleanup."""
    code = 0
    try:
        Hook.count, Hook.kill_at, Hook.paused = 0, kill_at, False
        run(path, ctx, Side(side_path))
        report.write_text(json.dumps({"statements": Hook.count}), encoding="utf-8")
    except BaseException:
        report.write_text(json.dumps({"error": traceback.format_exc()}), encoding="utf-8")
        code = 3
    finally:
        os._exit(code)


def _fork(
    run: Callable[[Path, dict[str, Any], Side], None],
    path: Path,
    ctx: dict[str, Any],
    side_path: Path | None,
    kill_at: int | None,
    delay: float | None,
    report: Path,
) -> tuple[bool, float]:
    """Runs one child; returns whether SIGKILL ended it, and how long it lived."""
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(run, path, ctx, side_path, kill_at, report)
    if delay is not None:
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, elapsed


CALIBRATIONS = 3


def main(op: str, work: Path, seed: int, points: int) -> None:
    setup, run = OPERATIONS[op]
    work.mkdir(parents=True, exist_ok=True)
    template, ctx = setup(work)
    initial = scenario.file_digest(template)

    # The operation's length, for the points killed after a delay: the shortest of three runs. One run
    # taken in a slow moment of a loaded machine put many delays past the end of the faster runs that
    # followed, and too few points were really interrupted (20 of 30 where 21 are required).
    lengths: list[float] = []
    for attempt in range(CALIBRATIONS):
        calib = work / f"calibrazione-{attempt}"
        calib.mkdir()
        shutil.copy(template, calib / template.name)
        killed, seconds = _fork(run, calib / template.name, ctx, None, None, None, calib / "report.json")
        outcome = json.loads((calib / "report.json").read_text(encoding="utf-8")) if not killed else {}
        if killed or "error" in outcome:
            raise SystemExit(f"calibration of {op} failed: {outcome.get('error', 'killed')}")
        lengths.append(seconds)
        if attempt == 0:
            statements = int(outcome["statements"])
            if op == "migrate":
                ctx["after"] = scenario.file_digest(calib / template.name)
    seconds = min(lengths)

    rng = random.Random(seed)
    results = []
    for i in range(points):
        folder = work / f"punto-{i:02d}"
        folder.mkdir()
        path = folder / template.name
        shutil.copy(template, path)
        if i % 2 == 0:
            mode, at, delay = "istruzione", rng.randint(1, statements), None
        else:
            mode, at = "tempo", round(rng.uniform(0.0, seconds * 1.05), 4)
            delay = at
        side = folder / "side.jsonl"
        side.touch()
        killed, lived = _fork(run, path, ctx, side, at if mode == "istruzione" else None, delay, folder / "report.json")
        error = None
        if not killed and (folder / "report.json").exists():
            error = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("error")
        results.append(
            {
                "index": i,
                "mode": mode,
                "at": at,
                "killed": killed,
                "lived": round(lived, 4),
                "db": str(path),
                "side": str(side),
                "error": error,
            }
        )
    summary = {
        "op": op,
        "seed": seed,
        "statements": statements,
        "seconds": round(seconds, 4),
        "initial": initial,
        "after": ctx.get("after"),
        "migrations": ctx.get("migrations"),
        "points": results,
    }
    (work / "results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
