"""The members' signatures, kept at merge: a sheet rewritten with every hash of the file made consistent is caught."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from tests.valutazione.sync.conftest import chair  # noqa: F401 - the chair's file of the offline tests
from tests.valutazione.sync.helpers import NAMES, export, give_back, key_for, merge, slug, work_offline
from valutazione import audit, seals
from valutazione.db import Database
from valutazione.services.sheets import content_hash

MEMBER = NAMES[0]


def rewrite_merged_sheet_consistently(path: Path) -> None:
    """Changes one merged sheet's motivation and rewrites its hash, its logged sending and the whole chain after."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_no_update")
    audit_id, sheet_id, after = con.execute(
        "SELECT id, entity_id, after_json FROM audit WHERE action = 'scheda.inviata' AND after_json LIKE "
        "'%\"pacchetto\":%' ORDER BY id LIMIT 1"
    ).fetchone()
    logged = json.loads(after)
    logged["voti"][0]["motivazione"] = "Motivazione riscritta dal presidente"
    content = {k: logged[k] for k in ("bando", "commissario", "protocollo", "voti")}
    digest = content_hash(content)
    logged["hash"] = digest
    con.execute(
        "UPDATE voto SET motivazione = ? WHERE scheda_id = ? AND sub_code = ?",
        ("Motivazione riscritta dal presidente", int(sheet_id), logged["voti"][0]["sottocriterio"]),
    )
    con.execute("UPDATE scheda SET content_hash = ? WHERE id = ?", (digest, int(sheet_id)))
    con.execute("UPDATE audit SET after_json = ? WHERE id = ?", (audit.canonical_json(logged), audit_id))
    prev = con.execute("SELECT prev_hash FROM audit WHERE id = ?", (audit_id,)).fetchone()[0]
    rows = con.execute(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit WHERE id >= ? ORDER BY id",
        (audit_id,),
    ).fetchall()
    for row_id, at, actor, action, entity, entity_id, before, after_json in rows:
        digest = audit.row_hash(prev, datetime.fromisoformat(at), actor, action, entity, entity_id, before, after_json)
        con.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id))
        prev = digest
    con.execute("UPDATE bando SET audit_head = ?", (prev,))
    con.commit()
    con.close()


def test_sheet_rewritten_after_merge_fails_its_members_signature(
    chair: Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Every hash in the file rewritten to match a changed sheet: only the member's kept signature catches it."""
    laptop = tmp_path / slug(MEMBER)
    pkg = export(chair, MEMBER, laptop / "valutazione.valpkg")
    work_offline(pkg, MEMBER)
    merge(chair, give_back(pkg, laptop / "ritorno-1.valret", key_for(tmp_path, MEMBER)))
    with chair.sessions() as s:
        assert seals.verify_seals(s) == []
    rewrite_merged_sheet_consistently(chair.path)
    with chair.sessions() as s:
        report = seals.verify_file(s)
    assert report.chain.ok
    assert [b.kind for b in report.broken] == ["firma"], report.broken
    assert f"Scheda di {MEMBER} su P" in report.broken[0].message
    assert "non corrisponde a quanto firmato dal commissario" in report.broken[0].message
