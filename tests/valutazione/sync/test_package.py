"""Outgoing packages: what a member's package holds, and how the laptop opens it once and keeps it."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import NAMES, export, motivazione, score, work_offline
from valutazione.db import Database, open_database
from valutazione.errors import ValutazioneError
from valutazione.models import Allegato, Blob, Commissario, Domanda, Scheda
from valutazione.paths import user_data_dir
from valutazione.services import lookup
from valutazione.sync.package import DB_ENTRY, package_identity, read_manifest


def _package_text(db_path: Path) -> tuple[bytes, str]:
    con = sqlite3.connect(db_path)
    try:
        return db_path.read_bytes(), "\n".join(con.iterdump())
    finally:
        con.close()


def test_package_holds_nothing_of_other_members(chair: Database, tmp_path: Path) -> None:
    """A member's package never carries another member's name or motivazioni, even after they submitted."""
    for name in NAMES:
        score(chair, name)  # everybody has submitted at the chair: the most there is to leak
    pkg = export(chair, "Bruno Verdi", tmp_path / "bruno.valpkg")
    with zipfile.ZipFile(pkg) as zf:
        zf.extract(DB_ENTRY, tmp_path / "estratto")
    raw, text = _package_text(tmp_path / "estratto" / DB_ENTRY)
    for other in ("Anna Rossi", "Carla Neri", "Dario Bianchi"):
        assert other.encode() not in raw and other not in text
        for protocol in ("P1", "P2", "P3"):
            for code in ("A.1", "B.2", "C.3"):
                assert motivazione(other, protocol, code) not in text
    assert motivazione("Bruno Verdi", "P1", "A.1") in text  # their own earlier sheets do travel


def test_package_holds_assigned_applications_only(chair: Database, tmp_path: Path) -> None:
    """Admissible or undecided applications, not excluded ones nor those in conflict, with attachments."""
    pkg = export(chair, "Carla Neri", tmp_path / "carla.valpkg")
    opened = open_confirmed(pkg)
    db = open_database(opened.path, read_only=True)
    try:
        with db.sessions() as s:
            assert sorted(s.scalars(select(Domanda.protocol))) == ["P1", "P3"]  # P2 conflict, P4 excluded
            assert [m.name for m in s.scalars(select(Commissario))] == ["Carla Neri"]
            assert s.scalar(select(func.count(Blob.sha256))) == 1
            assert s.scalars(select(Allegato.filename)).all() == ["progetto.pdf"]
            identity = package_identity(s)
            assert identity is not None and identity.member_name == "Carla Neri" and identity.sequence == 1
    finally:
        db.close()
    manifest = read_manifest(pkg)
    with chair.sessions() as s:
        assert manifest.file_uuid == lookup.bando_row(s).file_uuid
        assert manifest.member_id == lookup.member_by_name(s, "Carla Neri").id


def test_sequence_grows_per_member(chair: Database, tmp_path: Path) -> None:
    """Each export for a member takes the next sequence number; other members count on their own."""
    assert read_manifest(export(chair, "Bruno Verdi", tmp_path / "b1.valpkg")).sequence == 1
    assert read_manifest(export(chair, "Bruno Verdi", tmp_path / "b2.valpkg")).sequence == 2
    assert read_manifest(export(chair, "Carla Neri", tmp_path / "c1.valpkg")).sequence == 1


def test_secretary_gets_no_package(chair: Database, tmp_path: Path) -> None:
    """The secretary does not score, so there is no package to export for them."""
    with pytest.raises(ValutazioneError, match="segretario"):
        export(chair, "Dario Bianchi", tmp_path / "dario.valpkg")
    assert not (tmp_path / "dario.valpkg").exists()


def test_open_extracts_once_and_keeps_the_work(chair: Database, tmp_path: Path) -> None:
    """The working file is extracted once onto the laptop's own disk; reopening the next day keeps the drafts."""
    pkg = export(chair, "Bruno Verdi", tmp_path / "chiavetta" / "bruno.valpkg")
    first = open_confirmed(pkg)
    assert first.created and first.path.name == "bruno.valutazione-commissario"
    assert first.path.is_relative_to(user_data_dir()) and first.path.parent.name == "Bruno-Verdi"
    work_offline(pkg, "Bruno Verdi", submit=False)
    again = open_confirmed(pkg)
    assert not again.created and again.path == first.path
    db = open_database(again.path, read_only=True)
    try:
        with db.sessions() as s:
            assert s.scalar(select(func.count(Scheda.id))) == 3
    finally:
        db.close()


def test_other_package_with_same_name_does_not_overwrite_work(chair: Database, tmp_path: Path) -> None:
    """A newer package saved under the same name is refused while the old working file is still there."""
    laptop = tmp_path / "laptop"
    pkg = export(chair, "Bruno Verdi", laptop / "bruno.valpkg")
    open_confirmed(pkg)
    newer = export(chair, "Bruno Verdi", tmp_path / "nuovo.valpkg")
    pkg.write_bytes(newer.read_bytes())
    with pytest.raises(ValutazioneError, match="contiene un altro lavoro"):
        open_confirmed(pkg)


def test_damaged_package_is_refused_and_nothing_is_extracted(chair: Database, tmp_path: Path) -> None:
    """A truncated package is refused and leaves no working file behind."""
    pkg = export(chair, "Bruno Verdi", tmp_path / "bruno.valpkg")
    pkg.write_bytes(pkg.read_bytes()[: len(pkg.read_bytes()) // 2])
    with pytest.raises(ValutazioneError, match="non è un pacchetto di valutazione utilizzabile"):
        open_confirmed(pkg)
    assert not list(user_data_dir().rglob("*.valutazione-commissario"))


def test_member_without_declaration_gets_no_applications(chair: Database, tmp_path: Path) -> None:
    """Before the general declaration a member may see no application: the package carries none."""
    from valutazione.services import committee

    with chair.sessions.begin() as s:
        committee.add_member(s, "Elena Gialli", "componente", "test")
    pkg = export(chair, "Elena Gialli", tmp_path / "elena.valpkg")
    db = open_database(open_confirmed(pkg).path, read_only=True)
    try:
        with db.sessions() as s:
            assert s.scalar(select(func.count(Domanda.id))) == 0
    finally:
        db.close()
