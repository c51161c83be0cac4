"""Packages and returns sealed with a passphrase: readable only with it, refused whole when anything is off."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import confirmed_key, open_confirmed
from tests.valutazione.sync.helpers import (
    NAMES,
    PROTOCOLS,
    dump,
    key_for,
    merge,
    motivazione,
    score,
    sheet_states,
)
from valutazione.db import Database, open_database
from valutazione.models import Pacchetto
from valutazione.paths import user_data_dir
from valutazione.sync.archive import PackageError
from valutazione.sync.merge import merge_return
from valutazione.sync.package import export_package, read_manifest
from valutazione.sync.returns import make_return, read_return
from valutazione.sync.sealed import (
    HEADER,
    MAGIC,
    TAG_SIZE,
    PassphraseRequired,
    WrongPassphrase,
    is_sealed,
    seal,
    unseal,
)

MEMBER = "Bruno Verdi"
SECRET = "cavallo batteria graffetta"
WRONG = "cavallo batteria graffett"
DAMAGED = "danneggiato"  # both messages say it: GCM cannot tell a wrong passphrase from damage


def _sealed_package(chair: Database, out: Path, member: str = MEMBER) -> Path:
    with chair.sessions.begin() as s:
        return export_package(s, member, out, passphrase=SECRET).path


def _mutations(data: bytes) -> dict[str, bytes]:
    """One flipped byte in each part of the container, and cuts at its boundaries."""
    body = len(data) - HEADER.size - TAG_SIZE
    flips = {
        "magia": 0,
        "parametri": len(MAGIC),
        "sale": len(MAGIC) + 3,
        "nonce": HEADER.size - 1,
        "cifrato": HEADER.size + body // 2,
        "tag": len(data) - 1,
    }
    out = {k: data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :] for k, i in flips.items()}
    out.update(
        {
            "vuoto": b"",
            "solo magia": data[: len(MAGIC)],
            "intestazione": data[: HEADER.size],
            "senza tag": data[:-TAG_SIZE],
            "un byte in meno": data[:-1],
            "un byte in più": data + b"\0",
        }
    )
    return out


def test_seal_unseal_round_trip() -> None:
    """What is sealed comes back byte for byte; two seals of the same data differ (new salt and nonce)."""
    data = b"PK\x03\x04" + bytes(range(256)) * 100
    first, second = seal(data, SECRET), seal(data, SECRET)
    assert is_sealed(first) and first.startswith(MAGIC) and not is_sealed(data)
    assert first != second and len(first) == HEADER.size + len(data) + TAG_SIZE
    assert unseal(first, SECRET) == unseal(second, SECRET) == data
    assert unseal(seal(b"", SECRET), SECRET) == b""


def test_passphrase_must_have_ten_characters(chair: Database, tmp_path: Path) -> None:
    """A passphrase shorter than 10 characters is refused before anything is written or numbered."""
    with pytest.raises(PackageError, match="almeno 10 caratteri"):
        seal(b"dati", "corta")
    with pytest.raises(PackageError, match="almeno 10 caratteri"), chair.sessions.begin() as s:
        export_package(s, MEMBER, tmp_path / "bruno.valpkg", passphrase="123456789")
    assert not (tmp_path / "bruno.valpkg").exists()
    with chair.sessions() as s:
        assert s.scalar(select(func.count(Pacchetto.id))) == 0


def test_wrong_passphrase_and_every_damage_give_the_italian_error() -> None:
    """A wrong passphrase, a flipped byte anywhere (header, ciphertext, tag) or a cut is refused in Italian."""
    data = seal(b"contenuto riservato" * 50, SECRET)
    with pytest.raises(WrongPassphrase, match="Password errata o file danneggiato"):
        unseal(data, WRONG)
    accepted = []
    for kind, bad in _mutations(data).items():
        try:
            unseal(bad, SECRET)
        except PackageError as exc:
            assert DAMAGED in str(exc) and "Nessuna modifica" in str(exc)
        else:
            accepted.append(kind)
    assert accepted == []


def test_forged_scrypt_parameters_are_refused_before_deriving() -> None:
    """A header asking scrypt for gigabytes of memory is refused as damaged, not run."""
    data = bytearray(seal(b"x" * 100, SECRET))
    data[len(MAGIC)] = 24  # n = 2**24 with r = 8: 16 GiB
    with pytest.raises(PackageError, match="troncato o danneggiato"):
        unseal(bytes(data), SECRET)


def test_sealed_package_needs_its_passphrase_and_extracts_nothing_without_it(chair: Database, tmp_path: Path) -> None:
    """Without a passphrase: PassphraseRequired; with a wrong one or any damage: refused, no working file left."""
    pkg = _sealed_package(chair, tmp_path / "chiavetta" / "bruno.valpkg")
    assert is_sealed(pkg) and pkg.suffix == ".valpkg"
    assert sorted(p.name for p in pkg.parent.iterdir()) == ["bruno.valpkg"]  # no plain copy left on the stick
    with pytest.raises(PassphraseRequired, match="protetto da una password"):
        read_manifest(pkg)
    with pytest.raises(PassphraseRequired):
        open_confirmed(pkg)
    with pytest.raises(WrongPassphrase):
        open_confirmed(pkg, passphrase=WRONG)
    original = pkg.read_bytes()
    for bad in _mutations(original).values():
        pkg.write_bytes(bad)
        with pytest.raises(PackageError, match=DAMAGED):
            open_confirmed(pkg, passphrase=SECRET)
    assert not list(user_data_dir().rglob("*.valutazione-commissario*"))
    pkg.write_bytes(original)
    assert read_manifest(pkg, SECRET).member_name == MEMBER


def test_sealed_round_trip_from_chair_to_member_and_back(chair: Database, tmp_path: Path) -> None:
    """A sealed package opens with the passphrase, the member's sealed return merges as a plain one would."""
    pkg = _sealed_package(chair, tmp_path / "bruno" / "bruno.valpkg")
    opened = open_confirmed(pkg, passphrase=SECRET)
    assert opened.created and opened.manifest.member_name == MEMBER
    assert not open_confirmed(pkg, passphrase=SECRET).created
    member_db = open_database(opened.path)
    try:
        done = score(member_db, MEMBER)
    finally:
        member_db.close()
    ret = make_return(pkg, tmp_path / "bruno" / "ritorno.valret", key_for(tmp_path, MEMBER), passphrase=SECRET).path
    assert is_sealed(ret)
    with pytest.raises(PassphraseRequired):
        read_return(ret)
    assert read_return(ret, SECRET).member_name == MEMBER
    with chair.sessions.begin() as s:
        report = merge_return(s, ret, confirmed_key(ret, SECRET), passphrase=SECRET)
    assert report.key_pinned and report.changed > 0
    states = sheet_states(chair)
    assert {p for (who, p), st in states.items() if who == MEMBER and st[0] == "inviata"} == set(done)


def test_return_can_use_its_own_passphrase(chair: Database, tmp_path: Path) -> None:
    """A return sealed with another passphrase than its package's needs that one, and only that one, to merge."""
    pkg = _sealed_package(chair, tmp_path / "bruno.valpkg")
    open_confirmed(pkg, passphrase=SECRET)
    other = "un'altra frase segreta"
    with pytest.raises(WrongPassphrase, match="bruno.valpkg"):
        make_return(pkg, tmp_path / "r.valret", key_for(tmp_path, MEMBER), passphrase=other)
    ret = make_return(
        pkg, tmp_path / "r.valret", key_for(tmp_path, MEMBER), passphrase=other, package_passphrase=SECRET
    ).path
    with pytest.raises(WrongPassphrase):
        read_return(ret, SECRET)
    assert read_return(ret, other).sequence == 1


def test_sealed_return_refusals_leave_the_chair_file_unchanged(chair: Database, tmp_path: Path) -> None:
    """Missing or wrong passphrase, or a damaged sealed return: refused, the chair's file byte-for-byte unchanged."""
    pkg = _sealed_package(chair, tmp_path / "bruno.valpkg")
    opened = open_confirmed(pkg, passphrase=SECRET)
    member_db = open_database(opened.path)
    try:
        score(member_db, MEMBER)
    finally:
        member_db.close()
    ret = make_return(pkg, tmp_path / "r.valret", key_for(tmp_path, MEMBER), passphrase=SECRET).path
    original = ret.read_bytes()
    key = confirmed_key(ret, SECRET)
    before = dump(chair.path)
    attempts: list[tuple[bytes, str | None, str]] = [(original, None, "protetto"), (original, WRONG, "errata")]
    attempts += [(bad, SECRET, DAMAGED) for bad in _mutations(original).values()]
    for data, passphrase, message in attempts:
        ret.write_bytes(data)
        with pytest.raises(PackageError, match=message), chair.sessions.begin() as s:
            merge_return(s, ret, key, passphrase=passphrase)
        assert dump(chair.path) == before
    ret.write_bytes(original)
    with chair.sessions.begin() as s:
        assert merge_return(s, ret, confirmed_key(ret, SECRET), passphrase=SECRET).changed > 0


def test_sealed_files_show_no_names_protocols_or_motivazioni(chair: Database, tmp_path: Path) -> None:
    """Nothing readable leaks: no member name, protocol, motivazione or zip structure in a sealed file's bytes."""
    pkg = _sealed_package(chair, tmp_path / "bruno.valpkg")
    opened = open_confirmed(pkg, passphrase=SECRET)
    member_db = open_database(opened.path)
    try:
        done = score(member_db, MEMBER)
    finally:
        member_db.close()
    ret = make_return(pkg, tmp_path / "r.valret", key_for(tmp_path, MEMBER), passphrase=SECRET).path
    with zipfile.ZipFile(io.BytesIO(unseal(ret.read_bytes(), SECRET))) as zf:
        payload = zf.read("ritorno.json")
    stored = io.BytesIO()  # the same content uncompressed: the scan below must find everything in it
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("ritorno.json", payload)
    # Protocols as the files carry them, in their applications' titles: "P2" alone is two bytes, found by chance.
    secrets = [n.encode() for n in NAMES] + [f"Progetto {p}".encode() for p in PROTOCOLS]
    secrets += [b"manifest.json", b"PK\x03\x04"]
    secrets += [motivazione(MEMBER, p, "A.1").encode() for p in done] + [b"ritorno.json", b"Motivazione riservata"]
    for data in (pkg.read_bytes(), ret.read_bytes(), seal(stored.getvalue(), SECRET)):
        assert [s for s in secrets if s in data] == []
    control = [s for s in secrets if s in stored.getvalue()]
    assert MEMBER.encode() in control and b"Motivazione riservata" in control and b"PK\x03\x04" in control
    with zipfile.ZipFile(io.BytesIO(unseal(pkg.read_bytes(), SECRET))) as zf:
        inner = zf.read("commissario.valutazione")
    assert b"Progetto P1" in inner and MEMBER.encode() in inner  # what the package hides is really in it


def test_plain_files_still_work_without_passphrase(chair: Database, tmp_path: Path) -> None:
    """Without a passphrase nothing changes: plain zips, and a passphrase given for them is simply not needed."""
    with chair.sessions.begin() as s:
        pkg = export_package(s, MEMBER, tmp_path / "bruno.valpkg").path
    assert zipfile.is_zipfile(pkg) and not is_sealed(pkg) and not is_sealed(tmp_path / "assente.valpkg")
    assert read_manifest(pkg, SECRET).sequence == 1
    open_confirmed(pkg)
    ret = make_return(pkg, tmp_path / "r.valret", key_for(tmp_path, MEMBER)).path
    assert zipfile.is_zipfile(ret)
    assert merge(chair, ret).key_pinned
