"""The same benchmarks on the committee server: ranking and window on PostgreSQL beside the file.

``run.py --server`` starts one throw-away cluster (tests/pgcluster.py: initdb in a temporary folder,
127.0.0.1, scram passwords in a PGPASSFILE, fsync off since it holds benchmark data only), pushes each
generated file into a database of its own with ``valutazione.server.copy.push`` (the code of
``valutazione server push``), installs the server's rules (``server init``) and gives the chair a login
role (``server member add``). Each figure is then measured twice: connected as the database's owner
(no row-level policy applies) and as the chair's own login role (every query through the policies, as a
committee would work); the floor is the same SQL aggregate on the server.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generate import Spec

_CLUSTER: Any = None
_PUSHED: dict[tuple[int, int, int], dict[str, str]] = {}
FLOOR_SQL = (
    "SELECT s.domanda_id, v.sub_code, AVG(CAST(v.value AS REAL)), COUNT(*) FROM voto v "
    "JOIN scheda s ON s.id = v.scheda_id WHERE s.state = 'inviata' GROUP BY s.domanda_id, v.sub_code"
)


def _cluster() -> Any:
    """The run's cluster, started on first use and stopped when the process ends."""
    global _CLUSTER
    if _CLUSTER is None:
        from tests.pgcluster import start_cluster

        _CLUSTER = start_cluster()
        os.environ["PGPASSFILE"] = str(_CLUSTER.passfile)  # libpq, and the GUI child, find passwords there
        atexit.register(_stop, _CLUSTER)
    return _CLUSTER


def _stop(cluster: Any) -> None:
    cluster.stop()
    shutil.rmtree(cluster.passfile.parent, ignore_errors=True)


def server_urls(spec: Spec, prepared: Path) -> tuple[dict[str, str], float]:
    """``{"pg": owner's URL, "pg-ruolo": the chair's role's URL}`` for ``prepared`` pushed to the cluster,
    and the seconds the push took (once per spec: later calls reuse the database)."""
    from sqlalchemy import select

    from valutazione.db import open_database
    from valutazione.models import Commissario
    from valutazione.server import roles
    from valutazione.server.copy import push

    key = (spec.n, spec.members, spec.seed)
    if key in _PUSHED:
        return _PUSHED[key], 0.0
    cluster = _cluster()
    database = cluster.new_database(f"bench_{spec.n}_m{spec.members}")
    owner = cluster.url(database)
    t0 = time.perf_counter()
    push(prepared, owner)
    pushed = time.perf_counter() - t0
    roles.init(owner)
    db = open_database(owner, read_only=True)
    try:
        with db.sessions() as s:
            chair = s.scalars(select(Commissario.name).where(Commissario.role == "presidente")).one()
    finally:
        db.close()
    password = secrets.token_urlsafe(16)
    login = roles.add_member(owner, chair, password, login=f"bench_presidente_{secrets.token_hex(3)}")
    cluster.add_password(login, password)
    _PUSHED[key] = {"pg": owner, "pg-ruolo": cluster.url(database, user=login)}
    return _PUSHED[key], pushed


def ranking_on(url: str, measure: Callable[..., list[float]], runs: int) -> tuple[list[float], list[float]]:
    """services.ranking.compute on the server, and the floor: the same SQL aggregate there."""
    from sqlalchemy import text

    from valutazione.db import open_database
    from valutazione.services import ranking

    db = open_database(url, read_only=True)
    try:

        def ours() -> None:
            with db.sessions() as s:
                ranking.compute(s)

        def floor() -> None:
            with db.engine.connect() as conn:
                conn.execute(text(FLOOR_SQL)).fetchall()

        return measure(ours, runs=runs), measure(floor, runs=max(runs, 5))
    finally:
        db.close()
