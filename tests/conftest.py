"""Shared fixtures: real SQLite files on disk, the Milan call, headless Qt."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.builders import CommitteeFile, State, committee_file, new_file
from tests.pgcluster import SKIP_ENV, ClusterUnavailableError, PgCluster, running_cluster
from valutazione.bando import Bando, default_template, load_bando
from valutazione.db import Database, backup_to

SHARED_DATA = Path(__file__).resolve().parent.parent / "resources" / "demo"


@pytest.fixture(autouse=True)
def _user_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep settings, keys and backups of tests out of the real user's data directory."""
    monkeypatch.setenv("VALUTAZIONE_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster]:
    """A throw-away PostgreSQL cluster for the whole run; fails (never skips) when PostgreSQL is missing.

    ``VALUTAZIONE_SENZA_POSTGRES=1`` skips the server tests on purpose (a laptop without PostgreSQL).
    ``PGPASSFILE`` points at the cluster's password file for the whole run, as a chair's would.
    """
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: test sul server PostgreSQL saltati su richiesta")
    try:
        manager = running_cluster()
        cluster = manager.__enter__()
    except ClusterUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(cluster.passfile)
    try:
        yield cluster
    finally:
        if previous is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = previous
        manager.__exit__(None, None, None)


@pytest.fixture
def pg_url(pg_server: PgCluster) -> Iterator[str]:
    """A fresh empty database on the test cluster: its ``postgresql://user@host:port/name`` URL."""
    name = pg_server.new_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_engines`` run once on a file and once on the server (the ``engine`` fixture)."""
    if metafunc.definition.get_closest_marker("both_engines") and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` unless the test is marked ``both_engines`` (then each of ``ENGINES`` in turn)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def target(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str | Path]:
    """``target("name")``: where a new committee lives on this test's engine — a file path, or a fresh
    database's URL on the test cluster (one new database per call)."""
    if engine == "sqlite":
        return lambda name: tmp_path / f"{name}.valutazione"
    cluster: PgCluster = request.getfixturevalue("pg_server")
    made: list[str] = []

    def new(name: str) -> str:
        made.append(cluster.new_database(name.replace("-", "_")))
        return cluster.url(made[-1])

    request.addfinalizer(lambda: [cluster.drop_database(n) for n in made])
    return new


@pytest.fixture(scope="session")
def milano() -> Bando:
    return load_bando(default_template())


@pytest.fixture
def db(target: Callable[[str], str | Path], milano: Bando) -> Iterator[Database]:
    """An empty committee file (``State.EMPTY`` of tests/builders.py), open; on the server too when the
    test is marked ``both_engines``."""
    database = new_file(target("bando"), milano)
    yield database
    database.close()


@pytest.fixture
def build_committee(
    tmp_path: Path, milano: Bando, engine: str, target: Callable[[str], str | Path]
) -> Callable[..., CommitteeFile]:
    """``build_committee(State.SUBMITTED)``: the sample call driven to a state, in a fresh folder per call
    (or a fresh database on the server, when the test is marked ``both_engines``)."""
    made = iter(range(1, 1000))

    def build(state: State, **options: Any) -> CommitteeFile:
        n = next(made)
        folder = tmp_path / f"committee-{n}"
        folder.mkdir()
        where = folder / "commissione.valutazione" if engine == "sqlite" else target(f"commissione_{n}")
        return committee_file(where, state, bando=milano, folder=folder, **options)

    return build


@pytest.fixture(scope="session")
def submitted_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committee file with the members' sheets submitted, built once: tests edit copies of it."""
    path = tmp_path_factory.mktemp("inviate") / "inviate.valutazione"
    committee_file(path, State.SUBMITTED)
    return path


@pytest.fixture
def submitted_copy(submitted_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of ``submitted_template``, to edit underneath (by hand, past the program)."""
    path = tmp_path / "copia.valutazione"
    backup_to(submitted_template, path)
    return path
