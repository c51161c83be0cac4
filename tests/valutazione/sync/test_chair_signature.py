"""Packages signed by the chair's key: pinned by the member's laptop at the first package, checked ever after."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import entries, export, other_key, resigned, rewrite
from valutazione.audit import canonical_json
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.models import ChiavePresidente
from valutazione.paths import user_data_dir
from valutazione.sync.chair_key import pinned_key
from valutazione.sync.keys import fingerprint
from valutazione.sync.manifest import CHAIR_SIGNATURE
from valutazione.sync.package import DB_ENTRY, MANIFEST, ChairKeyUnconfirmed, open_package, read_manifest

MEMBER = "Bruno Verdi"


def chair_fingerprint(chair: Database) -> str:
    with chair.sessions() as s:
        row = s.query(ChiavePresidente).one()
        return fingerprint(row.public_key)


def working_files() -> list[Path]:
    return list(user_data_dir().rglob("*.valutazione-commissario*"))


def test_first_package_pins_the_chairs_key_and_shows_its_fingerprint(chair: Database, tmp_path: Path) -> None:
    """The first package of a chair file pins its key (fingerprint shown); the next one of that file is only checked."""
    first = open_confirmed(export(chair, MEMBER, tmp_path / "b1.valpkg"))
    assert first.key_pinned and first.chair_fingerprint == chair_fingerprint(chair)
    second = open_confirmed(export(chair, MEMBER, tmp_path / "b2.valpkg"))
    assert second.created and not second.key_pinned and second.chair_fingerprint == first.chair_fingerprint


def test_package_signed_by_another_key_is_refused_naming_both(chair: Database, tmp_path: Path) -> None:
    """A package of a pinned chair file, validly signed by another key, is refused naming both fingerprints."""
    open_confirmed(export(chair, MEMBER, tmp_path / "b1.valpkg"))
    genuine = export(chair, MEMBER, tmp_path / "b2.valpkg")
    private, public_hex = other_key()
    forged = resigned(genuine, tmp_path / "falso.valpkg", private, public_hex)
    before = working_files()
    with pytest.raises(ValutazioneError) as refused:
        open_confirmed(forged)
    message = str(refused.value)
    assert fingerprint(public_hex) in message and chair_fingerprint(chair) in message
    assert "non proviene dal presidente" in message
    with pytest.raises(ValutazioneError, match="non proviene dal presidente"):
        read_manifest(forged)
    assert working_files() == before


def test_forged_package_that_names_another_member_is_refused(chair: Database, tmp_path: Path) -> None:
    """A hostile member cannot write a package «from the chair» for a colleague: his key is not the chair's."""
    open_confirmed(export(chair, "Carla Neri", tmp_path / "c1.valpkg"))
    mine = export(chair, MEMBER, tmp_path / "b1.valpkg")
    private, public_hex = other_key()
    forged = resigned(mine, tmp_path / "per-carla.valpkg", private, public_hex, member_name="Carla Neri", sequence=7)
    with pytest.raises(ValutazioneError, match=fingerprint(public_hex)):
        open_confirmed(forged)


def test_unsigned_package_is_refused(chair: Database, tmp_path: Path) -> None:
    """A package without the chair's signature is refused, even at the first opening, and nothing is pinned."""
    content = entries(export(chair, MEMBER, tmp_path / "b1.valpkg"))
    del content[CHAIR_SIGNATURE]
    unsigned = rewrite(tmp_path / "b1.valpkg", tmp_path / "senza-firma.valpkg", content)
    with pytest.raises(ValutazioneError, match="non è firmato dal presidente"):
        open_confirmed(unsigned)
    assert working_files() == [] and not (user_data_dir() / "keys" / "presidenti").exists()


def test_tampered_manifest_breaks_the_signature(chair: Database, tmp_path: Path) -> None:
    """One changed field of a signed manifest (the sequence) makes the chair's signature fail."""
    content = entries(export(chair, MEMBER, tmp_path / "b1.valpkg"))
    manifest = json.loads(content[MANIFEST])
    content[MANIFEST] = canonical_json({**manifest, "sequence": 99}).encode("utf-8")
    tampered = rewrite(tmp_path / "b1.valpkg", tmp_path / "alterato.valpkg", content)
    with pytest.raises(ValutazioneError, match="la firma del presidente non corrisponde"):
        open_confirmed(tampered)
    assert working_files() == []


def test_tampered_database_entry_is_refused(chair: Database, tmp_path: Path) -> None:
    """The database swapped for another member's (signed manifest kept) fails the signed fingerprint."""
    mine = entries(export(chair, MEMBER, tmp_path / "b1.valpkg"))
    theirs = entries(export(chair, "Carla Neri", tmp_path / "c1.valpkg"))
    swapped = rewrite(tmp_path / "b1.valpkg", tmp_path / "scambiato.valpkg", {**mine, DB_ENTRY: theirs[DB_ENTRY]})
    with pytest.raises(ValutazioneError, match="non corrisponde all'impronta del manifest"):
        open_confirmed(swapped)
    assert working_files() == []


def test_private_key_never_travels_in_a_package(chair: Database, tmp_path: Path) -> None:
    """The chair's private key stays in the chair's file: no byte of it in the package nor in its database."""
    pkg = export(chair, MEMBER, tmp_path / "b1.valpkg")
    with chair.sessions() as s:
        row = s.query(ChiavePresidente).one()
        pem, public_hex = row.private_pem, row.public_key
    secret_body = "".join(pem.splitlines()[1:-1])
    raw = pkg.read_bytes()
    content = entries(pkg)
    assert secret_body.encode() not in raw and all(secret_body.encode() not in data for data in content.values())
    (tmp_path / "estratto.db").write_bytes(content[DB_ENTRY])
    con = sqlite3.connect(tmp_path / "estratto.db")
    try:
        assert con.execute("SELECT count(*) FROM chiave_presidente").fetchone() == (0,)
    finally:
        con.close()
    assert read_manifest(pkg).chair_public_key == public_hex


def test_same_key_signs_every_package_of_the_file(chair: Database, tmp_path: Path) -> None:
    """The key is created once per chair file and logged; every later package is signed with it."""
    keys = {
        read_manifest(export(chair, name, tmp_path / f"{i}.valpkg")).chair_public_key
        for i, name in enumerate(["Bruno Verdi", "Carla Neri", "Bruno Verdi"])
    }
    assert len(keys) == 1
    with chair.sessions() as s:
        assert s.query(ChiavePresidente).count() == 1
        from valutazione.models import AuditRow

        logged = s.query(AuditRow).filter(AuditRow.action == "chiave_presidente.creata").one()
        assert fingerprint(keys.pop()) in logged.after_json


def test_a_first_package_is_opened_only_with_the_confirmed_fingerprint(chair: Database, tmp_path: Path) -> None:
    """Nothing is pinned or extracted before the member confirms the chair key's fingerprint; a forged first
    package (a colleague's key) is refused even when the member confirmed the true chair's fingerprint, and
    the true package then opens; the fingerprint counts however it is typed."""
    genuine = export(chair, MEMBER, tmp_path / "b1.valpkg")
    forged = resigned(genuine, tmp_path / "falso.valpkg", *other_key())
    told = chair_fingerprint(chair)  # what the chair read to the member
    uuid = read_manifest(genuine).file_uuid
    for attempt, trusted, said in (
        (genuine, None, f"confrontare l'impronta della sua chiave, «{told}»"),
        (genuine, "  ", f"confrontare l'impronta della sua chiave, «{told}»"),
        (forged, told, f"non con quella confermata («{told}»)"),
    ):
        with pytest.raises(ChairKeyUnconfirmed) as refused:
            open_package(attempt, trusted_key=trusted)
        assert said in str(refused.value) and "Nessuna modifica" in str(refused.value)
        assert pinned_key(uuid) is None and working_files() == []
    opened = open_package(genuine, trusted_key=told.upper().replace(" ", ":"))
    assert opened.key_pinned and opened.chair_fingerprint == told
    assert open_package(export(chair, MEMBER, tmp_path / "b2.valpkg")).created  # pinned: nothing more to confirm
