"""Replays every input that once broke a reader (``corpus/<reader>/<file>``) against the readers' contract.

Known defects still open are strict xfails (``readers.KNOWN_DEFECTS``): the day the owner fixes one,
its test turns red here and the entry must go, so the corpus keeps guarding the fix.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability import readers, scenario
from valutazione.bando import Bando
from valutazione.db import Database, create_database

FILES = sorted(p for p in readers.CORPUS.rglob("*") if p.is_file() and p.name != "README.md")
KNOWN = {d.corpus: d for d in readers.KNOWN_DEFECTS}


def _param(path: Path) -> object:
    name = path.relative_to(readers.CORPUS).as_posix()
    defect = KNOWN.get(name)
    marks = [pytest.mark.xfail(strict=True, reason=f"{defect.where}: {defect.reason}")] if defect else []
    return pytest.param(path, id=name, marks=marks)


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.fixture
def chair_file(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    db = create_database(tmp_path / "presidente.valutazione", milano)
    scenario.committee_file(db, 3)
    yield db
    db.close()


def test_corpus_is_not_empty_and_every_known_defect_has_its_input() -> None:
    """Each reported defect keeps its failing input in the corpus."""
    names = {p.relative_to(readers.CORPUS).as_posix() for p in FILES}
    assert FILES and set(KNOWN) <= names


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_corpus_input_gives_result_or_clear_error(path: Path, chair_file: Database, tmp_path: Path) -> None:
    """An input that once broke a reader now gives a result or a ValutazioneError, and no half-written file."""
    reader = path.relative_to(readers.CORPUS).parts[0]
    data = _bytes(path)
    target = tmp_path / path.name.removesuffix(".gz")
    target.write_bytes(data)
    if reader == "domande":
        for skip in (False, True):
            readers.feed_domande(chair_file, target, skip_invalid=skip)
    elif reader == "punteggi":
        readers.feed_punteggi(chair_file, data)
    elif reader == "bando":
        readers.feed_bando(data.decode("utf-8"))
    elif reader == "ritorno":
        readers.feed_ritorno(chair_file, target)
    elif reader == "pacchetto":  # every package kept here is hostile: refused, whatever else it does
        assert not readers.feed_pacchetto(target, tmp_path / "portatile").accepted
    else:
        pytest.fail(f"reader «{reader}» unknown: corpus folders are domande, punteggi, bando, ritorno, pacchetto")
    assert scenario.integrity(chair_file.path) == [("ok",)]
