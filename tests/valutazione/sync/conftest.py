"""The chair's file for the offline tests: a real SQLite file with a committee and four applications."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.valutazione.sync.helpers import build_chair
from valutazione.bando import Bando
from valutazione.db import Database


@pytest.fixture
def chair(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    database = build_chair(tmp_path / "presidente" / "bando.valutazione", milano)
    yield database
    database.close()
