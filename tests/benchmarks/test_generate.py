"""The benchmark generator makes files the real services accept (timings live in benchmarks/, not here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

import benchmarks.generate as generate
from valutazione import audit
from valutazione.db import open_database
from valutazione.models import Domanda, Scheda
from valutazione.services import ranking


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(generate, "CACHE", tmp_path / "cache")
    return tmp_path / "cache"


def test_generated_file_ranks_and_verifies(cache: Path) -> None:
    """N applications, every expected sheet submitted with a valid hash chain; ranking v1 reproduces."""
    spec = generate.Spec(30, 3, seed=7)
    db = open_database(generate.generate(spec))
    try:
        with db.sessions() as s:
            assert s.scalar(select(func.count(Domanda.id))) == 30
            assert s.scalar(select(func.count(Scheda.id))) > 0
            assert audit.verify_chain(s).ok
            assert len(ranking.compute(s).ranking.rows) == 30
            assert ranking.reproduce(s, 1).ok
    finally:
        db.close()


def test_merged_returns_give_the_same_ranking(cache: Path, tmp_path: Path) -> None:
    """Merging the generated returns into the chair's file yields the ranking of the ready file."""
    spec = generate.Spec(20, 3, seed=7)
    db = open_database(generate.merged_copy(*generate.generate_merge(spec), tmp_path / "chair.valutazione"))
    try:
        with db.sessions() as s:
            merged = ranking.compute(s).fingerprint()
    finally:
        db.close()
    ready = open_database(generate.generate(spec), read_only=True)
    try:
        with ready.sessions() as s:
            assert ranking.compute(s).fingerprint() == merged
    finally:
        ready.close()


def test_the_verbale_drawn_without_the_seals_is_the_exported_verbale(cache: Path) -> None:
    """The benchmark's «pdf verbale drawing» builds the very document the export gives (same text)."""
    import subprocess

    from benchmarks.run import _draw_verbale
    from valutazione.exports.documents import export

    db = open_database(generate.generate(generate.Spec(30, 3, seed=7)), read_only=True)
    try:
        drawn = _draw_verbale(db)
        with db.sessions() as s:
            exported = export(s, "verbale", "pdf", seduta=1)
    finally:
        db.close()
    texts = [
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        for pdf in (drawn, exported)
    ]
    assert texts[0] == texts[1] and b"VERBALE" in texts[0].upper()
