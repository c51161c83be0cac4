"""Returns the chair must refuse whole, with an Italian message and the chair's file byte-for-byte unchanged."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.valutazione.sync.helpers import build_chair, dump, export, give_back, key_for, merge, work_offline
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import lookup, sheets
from valutazione.sync.returns import PAYLOAD, SIGNATURE

MEMBER = "Bruno Verdi"


@pytest.fixture
def first_return(chair: Database, tmp_path: Path) -> Path:
    """Bruno's first return, already merged once (his key is pinned)."""
    pkg = export(chair, MEMBER, tmp_path / "bruno" / "pacchetto-1.valpkg")
    work_offline(pkg, MEMBER, submit=False)
    ret = give_back(pkg, tmp_path / "bruno" / "ritorno-1.valret", key_for(tmp_path, MEMBER))
    merge(chair, ret)
    return ret


def _refused(chair: Database, ret: Path, match: str, trust: bool = False) -> None:
    before = dump(chair.path)
    with pytest.raises(ValutazioneError, match=match) as info:
        merge(chair, ret, trust=trust)
    assert "modific" in str(info.value)  # says that nothing was changed
    assert dump(chair.path) == before


def _rewrite(src: Path, dest: Path, payload: bytes | None = None, signature: bytes | None = None) -> Path:
    with zipfile.ZipFile(src) as zf:
        raw, sig = zf.read(PAYLOAD), zf.read(SIGNATURE)
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr(PAYLOAD, raw if payload is None else payload)
        zf.writestr(SIGNATURE, sig if signature is None else signature)
    return dest


def test_changed_byte_in_signed_payload_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """One flipped byte in the signed content (a motivazione letter) breaks the signature."""
    with zipfile.ZipFile(first_return) as zf:
        raw = zf.read(PAYLOAD)
    at = raw.index(b"Motivazione riservata")
    tampered = raw[:at] + b"N" + raw[at + 1 :]
    _refused(chair, _rewrite(first_return, tmp_path / "alterato.valret", payload=tampered), "firma non è valida")


def test_flipped_byte_in_the_file_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """A byte flipped anywhere in the return file makes it unusable (CRC or signature), never half-merged."""
    data = bytearray(first_return.read_bytes())
    for offset in (40, len(data) // 2, len(data) - 30):
        bad = bytearray(data)
        bad[offset] ^= 0xFF
        path = tmp_path / f"rotto-{offset}.valret"
        path.write_bytes(bytes(bad))
        _refused(chair, path, "utilizzabile|rifiutato")


def test_truncated_file_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """A return cut short (interrupted copy) is refused as truncated."""
    path = tmp_path / "troncato.valret"
    path.write_bytes(first_return.read_bytes()[:-200])
    _refused(chair, path, "troncato")


def test_not_a_zip_is_refused(chair: Database, tmp_path: Path) -> None:
    """A file that is not a return at all is refused with the same clear message."""
    path = tmp_path / "foto.valret"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 500)
    _refused(chair, path, "non è un ritorno di valutazione utilizzabile")


def test_return_signed_with_another_key_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """Once a member's key is recorded, a return signed with any other key is refused."""
    pkg = tmp_path / "bruno" / "pacchetto-1.valpkg"
    intruder = give_back(pkg, tmp_path / "intruso.valret", key_for(tmp_path, "Qualcun Altro"))
    _refused(chair, intruder, "chiave diversa da quella registrata per Bruno Verdi", trust=True)


def test_unknown_key_needs_the_chairs_trust(chair: Database, tmp_path: Path) -> None:
    """Without a recorded key the chair must accept the fingerprint explicitly; the message shows it."""
    pkg = export(chair, MEMBER, tmp_path / "bruno" / "pacchetto-1.valpkg")
    work_offline(pkg, MEMBER)
    key = key_for(tmp_path, MEMBER)
    ret = give_back(pkg, tmp_path / "bruno" / "ritorno-1.valret", key)
    _refused(chair, ret, key.fingerprint)


def test_return_of_another_call_is_refused(chair: Database, tmp_path: Path, milano: Bando) -> None:
    """A return from another call's package (another code) is refused."""
    other = build_chair(tmp_path / "altro" / "altro.valutazione", replace(milano, code="MI9.9.9"))
    try:
        pkg = export(other, MEMBER, tmp_path / "altro" / "pacchetto.valpkg")
        work_offline(pkg, MEMBER)
        ret = give_back(pkg, tmp_path / "altro" / "ritorno.valret", key_for(tmp_path, MEMBER))
    finally:
        other.close()
    _refused(chair, ret, "bando MI9.9.9", trust=True)


def test_return_of_another_chair_file_is_refused(chair: Database, tmp_path: Path, milano: Bando) -> None:
    """Same call code but another chair file (another file_uuid): refused, the file is the only master."""
    other = build_chair(tmp_path / "copia" / "copia.valutazione", milano)
    try:
        pkg = export(other, MEMBER, tmp_path / "copia" / "pacchetto.valpkg")
        work_offline(pkg, MEMBER)
        ret = give_back(pkg, tmp_path / "copia" / "ritorno.valret", key_for(tmp_path, MEMBER))
    finally:
        other.close()
    _refused(chair, ret, "altro file del presidente", trust=True)


def test_replayed_older_return_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """After a return of package 2 is merged, a return of package 1 is refused as superseded."""
    pkg2 = export(chair, MEMBER, tmp_path / "bruno2" / "pacchetto-2.valpkg")
    work_offline(pkg2, MEMBER)
    merge(chair, give_back(pkg2, tmp_path / "bruno2" / "ritorno-2.valret", key_for(tmp_path, MEMBER)))
    _refused(chair, first_return, "pacchetto n. 2, più recente")


def test_draft_over_submitted_sheet_is_refused(chair: Database, tmp_path: Path) -> None:
    """A draft cannot replace a sheet submitted at the chair: the whole return is refused, the sheet kept."""
    pkg = export(chair, MEMBER, tmp_path / "bruno" / "pacchetto-1.valpkg")
    work_offline(pkg, MEMBER, submit=False)
    with chair.sessions.begin() as s:  # meanwhile Bruno's paper sheet is typed in and submitted at the chair
        m, d = lookup.member_by_name(s, MEMBER), lookup.domanda_by_protocol(s, "P1")
        from tests.valutazione.sync.helpers import marks_for

        sheets.save_draft(s, m.id, d.id, marks_for(lookup.rules(s), MEMBER, "P1", shift=4))
        sheets.submit(s, m.id, d.id)
    work_offline(pkg, MEMBER, submit=False, shift=1)  # the laptop's draft is now at a higher revision
    ret = give_back(pkg, tmp_path / "bruno" / "ritorno-1.valret", key_for(tmp_path, MEMBER))
    _refused(chair, ret, "già stata inviata presso il presidente e una bozza non può sostituirla", trust=True)


def test_unexported_sequence_is_refused(chair: Database, first_return: Path, tmp_path: Path) -> None:
    """A return naming a package this file never exported is refused (even correctly signed)."""
    import json

    from valutazione.audit import canonical_json

    with zipfile.ZipFile(first_return) as zf:
        data = json.loads(zf.read(PAYLOAD))
    data["sequence"] = 7
    raw = canonical_json(data).encode("utf-8")
    key = key_for(tmp_path, MEMBER)
    import base64

    forged = _rewrite(first_return, tmp_path / "sette.valret", payload=raw, signature=base64.b64encode(key.sign(raw)))
    _refused(chair, forged, "non ha esportato")
