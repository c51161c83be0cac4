"""A committee file with the README's sample ranked and approved as final: where a funded project's life starts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from valutazione.cli import main
from valutazione.db import Database, opened

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo"
CHAIR = "Laura Fumagalli"
MEMBERS = ((CHAIR, "presidente"), ("Nadia Cattaneo", "componente"), ("Stefano Brambilla", "componente"))
EXCLUDED = ("PG 104/2018", "PG 108/2018", "PG 112/2018", "PG 116/2018", "PG 120/2018")


def _ok(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0, args


@pytest.fixture(scope="session")
def final_ranking_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run through the CLI, exactly as the README walks it, up to the final approval."""
    f = tmp_path_factory.mktemp("progetti") / "bando.valutazione"
    _ok("new", f)
    _ok("import", f, DEMO / "domande-esempio.csv", "--allegati", DEMO / "allegati", "--skip-invalid")
    for name, role in (*MEMBERS, ("Paolo Verdi", "segretario")):
        _ok("members", "add", f, name, "--role", role)
        _ok("declare", f, "--member", name)
    for protocol in EXCLUDED:
        _ok("admissibility", f, "--exclude", protocol, "--reason", "Requisito formale mancante")
    _ok("admissibility", f, "--not-receivable", "PG 128/2018", "--reason", "Domanda inviata dopo la scadenza")
    _ok("admissibility", f, "--all-admissible", "--reason", "Requisiti formali verificati")
    _ok("scores", "import", f, DEMO / "punteggi-esempio.csv")
    _ok("scores", "import", f, DEMO / "punteggi-schede-cartacee.csv")
    for name, _role in MEMBERS:
        _ok("scores", "submit", f, "--member", name)
    _ok("rank", f, "--approve", "provvisoria")
    _ok("rank", f, "--approve", "definitiva")
    return f


@pytest.fixture
def funded(final_ranking_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the final-ranking file, open for writing."""
    copy = tmp_path / "bando.valutazione"
    shutil.copy(final_ranking_file, copy)
    with opened(copy) as db:
        yield db
