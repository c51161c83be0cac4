"""Shared fixtures: real SQLite files on disk, the Milan call, headless Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from valutazione.bando import Bando, default_template, load_bando  # noqa: E402
from valutazione.db import Database, create_database  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parent.parent / "resources" / "demo"


@pytest.fixture(autouse=True)
def _user_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep settings, keys and backups of tests out of the real user's data directory."""
    monkeypatch.setenv("VALUTAZIONE_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))


@pytest.fixture(scope="session")
def milano() -> Bando:
    return load_bando(default_template())


@pytest.fixture
def db(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    database = create_database(tmp_path / "bando.valutazione", milano)
    yield database
    database.close()
