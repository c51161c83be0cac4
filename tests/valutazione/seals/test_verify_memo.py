"""The remembered recomputation of approved versions: a second verification in the same process finds
exactly what a fresh one finds, whatever was edited in the file in between."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.valutazione.seals.test_seals import (
    SHEET_HASH_EDIT,
    SUBMITTED_MARK,
    VERSION_EDIT,
    sealed_template,
    tamper,
)
from valutazione import seals
from valutazione.db import backup_to, open_database
from valutazione.seals import versions

__all__ = ["sealed_template"]  # the module-scoped demo with a final ranking, shared with test_seals

EDITS = {
    "versione": VERSION_EDIT,
    "scheda": SUBMITTED_MARK,
    "voto-e-impronta": SHEET_HASH_EDIT,
}


def _messages(path: Path) -> list[str]:
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            return [b.message for b in seals.verify_file(s).broken]
    finally:
        db.close()


@pytest.fixture
def demo(sealed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "commissione.valutazione"
    backup_to(sealed_template, target)
    return target


def test_an_agreed_version_is_remembered_by_its_text(demo: Path) -> None:
    """Seals (approved versions): a version that recomputed to its fingerprint is remembered for this process."""
    versions._AGREED.clear()
    assert _messages(demo) == []
    assert versions._AGREED, "the recomputation that agreed should be remembered"


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_edit_after_a_verification_is_found_as_by_a_fresh_one(kind: str, demo: Path) -> None:
    """Seals (approved versions): an edit after a verified check is reported as a fresh check reports it."""
    versions._AGREED.clear()
    assert _messages(demo) == []
    tamper(demo, EDITS[kind])
    remembered = _messages(demo)
    versions._AGREED.clear()
    fresh = _messages(demo)
    assert remembered and remembered == fresh
    if kind == "versione":
        assert any("versione 1: ricalcolata dai suoi dati non dà la stessa impronta" in m for m in remembered)
