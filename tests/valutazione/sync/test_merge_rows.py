"""The bulk merge against the per-item services: the rows it writes are the rows the member's services wrote."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import export, give_back, key_for, merge, slug, work_offline
from valutazione import seals
from valutazione.audit import canonical_json
from valutazione.db import Database, open_database
from valutazione.services import lookup
from valutazione.services.conflicts import declare

SCORERS = ("Bruno Verdi", "Carla Neri")


def _rows(path: Path, member: str) -> dict[str, Any]:
    """The member's sheets, marks, declarations and their log rows, keyed by protocol (ids differ by file)."""
    con = sqlite3.connect(path)
    try:
        (member_id,) = con.execute("SELECT id FROM commissario WHERE name = ?", (member,)).fetchone()
        sheets = con.execute(
            "SELECT s.id, d.protocol, s.state, s.revision, s.updated_at, s.submitted_at, s.content_hash "
            "FROM scheda s JOIN domanda d ON d.id = s.domanda_id WHERE s.commissario_id = ?",
            (member_id,),
        ).fetchall()
        protocol_of = {sheet_id: protocol for sheet_id, protocol, *_ in sheets}
        marks = con.execute(
            "SELECT d.protocol, v.sub_code, v.value, v.motivazione FROM voto v JOIN scheda s ON s.id = v.scheda_id "
            "JOIN domanda d ON d.id = s.domanda_id WHERE s.commissario_id = ? ORDER BY d.protocol, v.sub_code",
            (member_id,),
        ).fetchall()
        declarations = con.execute(
            "SELECT d.protocol, c.has_conflict, c.reason, c.declared_at FROM conflitto c "
            "JOIN domanda d ON d.id = c.domanda_id WHERE c.commissario_id = ? ORDER BY d.protocol",
            (member_id,),
        ).fetchall()
        sent, sent_text = {}, {}
        for entity_id, before, after in con.execute(
            "SELECT entity_id, before_json, after_json FROM audit WHERE action = 'scheda.inviata' AND actor = ?",
            (member,),
        ):
            assert before == "null"
            content = json.loads(after)
            assert after == canonical_json(content)  # spelled as the general encoder spells it, byte for byte
            content.pop("pacchetto", None)  # the chair's row also names the package the sheet came back in
            sent[protocol_of[int(entity_id)]] = content
            sent_text[protocol_of[int(entity_id)]] = canonical_json(content)
        logged = con.execute(
            "SELECT action, entity_id, before_json, after_json FROM audit "
            "WHERE action LIKE 'conflitto.%' AND actor = ? ORDER BY id",
            (member,),
        ).fetchall()
        return {
            "sheets": sorted(row[1:] for row in sheets),
            "marks": marks,
            "declarations": declarations,
            "sent": sent,
            "sent_text": sent_text,
            "declarations_logged": logged,
        }
    finally:
        con.close()


def test_bulk_merge_writes_the_rows_the_members_services_wrote(chair: Database, tmp_path: Path) -> None:
    """Sheets, marks, declarations and their log rows (their text, byte for byte) merged in bulk equal those
    written one by one offline."""
    laptops = {}
    for name in SCORERS:
        laptop = tmp_path / slug(name)
        pkg = export(chair, name, laptop / "valutazione.valpkg")
        opened = open_confirmed(pkg).path
        member_db = open_database(opened)
        try:
            with member_db.sessions.begin() as s:
                m = lookup.member_by_name(s, name)
                declare(s, m.id, lookup.domanda_by_protocol(s, "P1").id, False)
                declare(s, m.id, lookup.domanda_by_protocol(s, "P3").id, name == "Carla Neri", "Socia dell'ente")
        finally:
            member_db.close()
        work_offline(pkg, name)
        laptops[name] = (opened, give_back(pkg, laptop / "ritorno.valret", key_for(tmp_path, name)))
    before = {name: _rows(chair.path, name) for name in SCORERS}  # Carla Neri's conflict on P2, declared here
    for _opened, ret in laptops.values():
        merge(chair, ret)
    for name, (opened, _ret) in laptops.items():
        merged, offline, earlier = _rows(chair.path, name), _rows(opened, name), before[name]
        assert offline["sheets"] and offline["marks"] and offline["sent"] and offline["declarations_logged"]
        assert not earlier["sheets"]
        for key in ("sheets", "marks", "sent", "sent_text"):
            assert merged[key] == offline[key], (name, key)
        assert merged["declarations"] == sorted(set(earlier["declarations"]) | set(offline["declarations"]))
        assert merged["declarations_logged"] == earlier["declarations_logged"] + offline["declarations_logged"]
    with chair.sessions() as s:
        report = seals.verify_file(s)
    assert report.ok, report.message
