"""Access scans: what leaves the chair's file never carries what its reader must not see.

The public ranking (Amministrazione trasparente) must hold no natural person's data and no member's
name or marks; a member's offline package nothing of the other members. Both are checked on the
bytes that actually leave the application, with names and justifications made unique so a hit is a leak.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path

from pypdf import PdfReader

from tests.reliability import scenario
from valutazione.bando import Bando
from valutazione.db import create_database
from valutazione.reports.graduatoria import build_graduatoria_pubblica_pdf, public_rows
from valutazione.reports.ranking_view import from_version
from valutazione.services import conflicts, lookup, ranking
from valutazione.sync.package import DB_ENTRY, export_package

PEOPLE = (*scenario.REPRESENTATIVES, scenario.NATURAL_PERSON[0], scenario.NATURAL_PERSON[1])
MEMBERS = (scenario.CHAIR, scenario.BRUNO, scenario.CARLA, scenario.SECRETARY)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_public_ranking_has_no_natural_persons_nor_members(tmp_path: Path, milano: Bando) -> None:
    """The published ranking omits legal representatives, a natural-person applicant, members and their marks."""
    db = create_database(tmp_path / "bando.valutazione", milano)
    ids = scenario.committee_file(db, 6, person_at=2)
    scenario.score_everything(db, ids, milano, seed=1)
    with db.sessions.begin() as s:
        row = ranking.approve(s, ranking.PROVISIONAL, scenario.CHAIR, "seduta 2")
    view = from_version(row, milano)
    db.close()
    pdf = build_graduatoria_pubblica_pdf(view, milano)
    text = _words(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    rows = repr(public_rows(view))
    assert "Associazione Quartiere 1 APS" in text  # the scan reads the real text
    for needle in (*PEOPLE, *MEMBERS, "RISERVATO"):
        assert needle not in text, f"«{needle}» appears in the public ranking PDF"
        assert needle not in rows, f"«{needle}» appears in the public ranking rows"
        assert needle.encode() not in pdf


def test_member_package_holds_nothing_of_other_members(tmp_path: Path, milano: Bando) -> None:
    """Bruno's package (zip bytes, database bytes and content) holds no other member's name, conflict or words."""
    db = create_database(tmp_path / "presidente.valutazione", milano)
    ids = scenario.committee_file(db, 4)
    scenario.score_everything(db, ids, milano, seed=2)  # everyone else has submitted: the most there is to leak
    with db.sessions.begin() as s:
        d = lookup.domanda_by_protocol(s, "PG 104/2018")
        conflicts.declare(s, ids[scenario.CARLA], d.id, True, "Carla Neri è socia dell'ente")
        pkg = export_package(s, scenario.BRUNO, tmp_path / "bruno.valpkg").path
    db.close()
    blobs = [pkg.read_bytes()]
    with zipfile.ZipFile(pkg) as zf:
        blobs += [zf.read(name) for name in zf.namelist()]
        zf.extract(DB_ENTRY, tmp_path / "estratto")
    con = sqlite3.connect(tmp_path / "estratto" / DB_ENTRY)
    try:
        text = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "BRUNO-RISERVATO" in text  # his own sheets travel, so the scan reads the real content
    others = [scenario.CARLA, scenario.SECRETARY, "CARLA-RISERVATO", "ANNA-RISERVATO", "socia dell'ente"]
    for needle in others:
        assert needle not in text, f"«{needle}» is in Bruno's package database"
        assert all(needle.encode() not in b for b in blobs), f"«{needle}» is in the bytes of Bruno's package"
