"""Pairwise comparisons are sealed like the other decisive rows, and an approved version of a pairwise call
keeps the comparisons it was computed on, so that its seal re-verifies and a hand edit is caught."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.valutazione.pairwise_helpers import pairwise_file
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import opened
from valutazione.errors import ValutazioneError
from valutazione.models import GraduatoriaVersion
from valutazione.pairwise import Comparison
from valutazione.ranking.stored import SCHEMA_VERSION, read_version
from valutazione.seals import verify_seals
from valutazione.services import lookup, ranking
from valutazione.services.pairwise_entry import save_comparisons


def tamper(path: Path, sql: str) -> None:
    """An edit made underneath the program, as anyone with an SQLite browser could."""
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()


def test_tampered_comparison_is_named_and_blocks_approval(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule: a comparison edited outside the program breaks its seal; the check names it, the approval is refused."""
    f = pairwise_file(tmp_path / "coppie.valutazione", milano)
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert verify_seals(s) == []
    tamper(
        f,
        "UPDATE confronto SET preferred = 'b', degree = 6 WHERE id = (SELECT min(c.id) FROM confronto c "
        "JOIN commissario m ON m.id = c.commissario_id WHERE m.name = 'Bruno Bianchi' AND c.sub_code = 'A.1')",
    )
    with opened(f, read_only=True) as db, db.sessions() as s:
        broken = verify_seals(s)
    assert [(b.kind, b.obj) for b in broken] == [
        ("confronto", "Confronto a coppie di Bruno Bianchi su P1 / P2 (sottocriterio A.1)")
    ]
    assert "non corrisponde all'impronta registrata" in broken[0].problem
    assert main(["audit", "verify", str(f)]) == 1
    out = capsys.readouterr().out
    assert "Confronto a coppie di Bruno Bianchi su P1 / P2 (sottocriterio A.1)" in out
    with pytest.raises(ValutazioneError, match="Sigillo violato"), opened(f) as db, db.sessions.begin() as s:
        ranking.approve(s, ranking.PROVISIONAL, "Anna Rossi", "Graduatoria provvisoria")


def test_deleted_comparison_is_caught(tmp_path: Path, milano: Bando) -> None:
    """Rule: a comparison deleted without a trace is a broken seal too (it would change the sums)."""
    f = pairwise_file(tmp_path / "coppie.valutazione", milano)
    tamper(f, "DELETE FROM confronto WHERE id = (SELECT max(id) FROM confronto)")
    with opened(f, read_only=True) as db, db.sessions() as s:
        broken = verify_seals(s)
    assert len(broken) == 1 and broken[0].kind == "confronto" and "eliminata senza traccia" in broken[0].problem


def test_approved_pairwise_version_carries_its_comparisons_and_reverifies(tmp_path: Path, milano: Bando) -> None:
    """Rule: an approved version keeps its frozen inputs, comparisons included; it re-verifies from them, and
    a comparison changed afterwards is reported by the reproduction without breaking the version's seal."""
    f = pairwise_file(tmp_path / "coppie.valutazione", milano)
    with opened(f) as db, db.sessions.begin() as s:
        row = ranking.approve(s, ranking.PROVISIONAL, "Anna Rossi", "Graduatoria provvisoria")
        content, fingerprint = row.content_json, row.fingerprint
    stored = json.loads(content)
    assert stored["schema_version"] == SCHEMA_VERSION == 4
    frozen = stored["inputs"]["comparisons"]
    assert sorted(frozen) == ["A.1", "A.2", "A.3"]
    assert frozen["A.1"]["Bruno Bianchi"] == [["P1", "P2", "P1", "3"], ["P1", "P3", "P1", "5"], ["P2", "P3", None, "1"]]
    version = read_version(content)
    assert version.inputs is not None and version.inputs.comparisons is not None
    assert set(version.inputs.comparisons["A.2"]) == {"Anna Rossi", "Bruno Bianchi", "Carla Verdi"}
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert verify_seals(s) == []
        again = ranking.reproduce(s, 1)
        assert again.recomputed_fingerprint == fingerprint and again.changed_sheets == ()
    # A later save (allowed before the final ranking) changes the file, not what version 1 was computed on.
    with opened(f) as db, db.sessions.begin() as s:
        bruno = lookup.member_by_name(s, "Bruno Bianchi").id
        changed = [Comparison("P1", "P2", "P2", Decimal(6)), Comparison("P1", "P3", "P1", Decimal(5)),
                   Comparison("P2", "P3", None, Decimal(1))]  # fmt: skip
        save_comparisons(s, lookup.rules(s), bruno, "A.1", changed)
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert verify_seals(s) == []
        again = ranking.reproduce(s, 1)
        assert again.recomputed_fingerprint == fingerprint
        assert again.changed_sheets == ("confronti di Bruno Bianchi – A.1",)
        assert s.scalar(select(GraduatoriaVersion.fingerprint)) == fingerprint


def test_version_before_schema_4_still_read(tmp_path: Path, milano: Bando) -> None:
    """Rule: older stored versions stay readable; without recorded comparisons the file's own are used."""
    f = pairwise_file(tmp_path / "coppie.valutazione", milano)
    with opened(f) as db, db.sessions.begin() as s:
        content = ranking.approve(s, ranking.PROVISIONAL, "Anna Rossi", "Graduatoria provvisoria").content_json
    older = json.loads(content)
    older["schema_version"] = 3
    del older["inputs"]["comparisons"]
    version = read_version(json.dumps(older))
    assert version.schema_version == 3 and version.inputs is not None and version.inputs.comparisons is None
    newer = {**json.loads(content), "schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(ValutazioneError, match="più recente"):
        read_version(json.dumps(newer))


def test_upgrade_0009_seals_comparisons_stored_before(
    tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule: comparisons written before they were sealed (schema 0008) are sealed by the upgrade, then guarded."""
    from valutazione.models import AuditRow
    from valutazione.pairwise_tables import Confronto
    from valutazione.seals import rows

    monkeypatch.delitem(rows.SEALED_TABLES, "confronto")
    monkeypatch.setattr(rows, "SEALED", tuple(m for m in rows.SEALED if m is not Confronto))
    f = pairwise_file(tmp_path / "coppie.valutazione", milano)
    tamper(f, "UPDATE alembic_version SET version_num = '0008'")
    monkeypatch.undo()
    with opened(f) as db, db.sessions() as s:  # opening for writing upgrades to the head
        assert verify_seals(s) == []
        sealed_by = set(s.scalars(select(AuditRow.actor).where(AuditRow.entity == "confronto")))
        assert sealed_by == {"aggiornamento 0009"}
        assert s.scalar(select(func.count()).select_from(Confronto)) == 27  # 3 scorers x 3 sub-criteria x 3 pairs
    tamper(f, "UPDATE confronto SET degree = 2 WHERE id = 1")
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert [b.kind for b in verify_seals(s)] == ["confronto"]
