"""Shared fixtures: real SQLite files on disk, the Milan call, headless Qt."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.builders import CommitteeFile, State, committee_file, new_file
from valutazione.bando import Bando, default_template, load_bando
from valutazione.db import Database

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
    """An empty committee file (``State.EMPTY`` of tests/builders.py), open."""
    database = new_file(tmp_path / "bando.valutazione", milano)
    yield database
    database.close()


@pytest.fixture
def build_committee(tmp_path: Path, milano: Bando) -> Callable[..., CommitteeFile]:
    """``build_committee(State.SUBMITTED)``: the sample call driven to a state, in a fresh folder per call."""
    made = iter(range(1, 1000))

    def build(state: State, **options: Any) -> CommitteeFile:
        folder = tmp_path / f"committee-{next(made)}"
        folder.mkdir()
        return committee_file(folder / "commissione.valutazione", state, bando=milano, **options)

    return build
