"""Hostile returns, signed with a real member key: each refused whole, the chair's file unchanged."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.builders import confirmed_key
from tests.valutazione.sync.helpers import dump, export, give_back, key_for, merge, work_offline
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import lookup
from valutazione.sync.archive import read_json
from valutazione.sync.keys import MemberKey
from valutazione.sync.merge import merge_return
from valutazione.sync.returns import PAYLOAD, SIGNATURE

CARLA, BRUNO = "Carla Neri", "Bruno Verdi"  # Carla is in conflict on P2: her package does not hold it


def honest_return(chair: Database, tmp_path: Path, member: str) -> Path:
    pkg = export(chair, member, tmp_path / member / "pacchetto.valpkg")
    work_offline(pkg, member, submit=True)
    return give_back(pkg, tmp_path / member / "ritorno.valret", key_for(tmp_path, member))


def forged(src: Path, dest: Path, key: MemberKey, change: Callable[[dict[str, Any]], Any]) -> Path:
    """The member's own return, changed and signed again with a real key (what a hostile member can do)."""
    with zipfile.ZipFile(src) as zf:
        data = json.loads(zf.read(PAYLOAD))
    change(data)
    raw = json.dumps(data).encode()
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr(PAYLOAD, raw)
        zf.writestr(SIGNATURE, base64.b64encode(key.sign(raw)))
    return dest


def refused(chair: Database, ret: Path, match: str) -> None:
    before = dump(chair.path)
    with pytest.raises(ValutazioneError, match=match):
        merge(chair, ret, trust=True)
    assert dump(chair.path) == before


def test_conflict_lifted_through_a_return_is_refused(chair: Database, tmp_path: Path) -> None:
    """Carla declares «no conflict» on P2 (her recorded conflict) with a full sheet: P2 was not in her package."""
    ret = honest_return(chair, tmp_path, CARLA)

    def lift(data: dict[str, Any]) -> None:
        sheet = dict(data["sheets"][0], protocol="P2")
        data["sheets"].append(sheet)
        data["conflicts"].append(
            {"protocol": "P2", "has_conflict": False, "reason": "", "declared_at": data["created_at"]}
        )

    refused(chair, forged(ret, tmp_path / "p2.valret", key_for(tmp_path, CARLA), lift), "non conteneva \\(P2\\)")


def test_dates_from_the_future_are_refused(chair: Database, tmp_path: Path) -> None:
    """A return «written» in 2030 says the clock or the file was altered."""
    ret = honest_return(chair, tmp_path, CARLA)
    late = forged(
        ret,
        tmp_path / "2030.valret",
        key_for(tmp_path, CARLA),
        lambda d: d.update(created_at="2030-01-01T10:00:00+00:00"),
    )
    refused(chair, late, "date future")


def test_text_false_is_not_a_boolean(chair: Database, tmp_path: Path) -> None:
    """«"false"» is not a «no»: strict types, or the return is unusable."""
    ret = honest_return(chair, tmp_path, CARLA)

    def stringly(data: dict[str, Any]) -> None:
        data["conflicts"].append(
            {"protocol": "P1", "has_conflict": "false", "reason": "", "declared_at": data["created_at"]}
        )

    refused(chair, forged(ret, tmp_path / "false.valret", key_for(tmp_path, CARLA), stringly), "true o false")


def test_a_mark_with_a_huge_exponent_is_refused_in_a_short_message(chair: Database, tmp_path: Path) -> None:
    """«1e999999999» (eleven characters) is refused naming it as written; spelled out in full, the message
    alone took seconds and two gigabytes of memory, for each such mark."""
    ret = honest_return(chair, tmp_path, CARLA)

    def huge(data: dict[str, Any]) -> None:
        data["sheets"][0]["marks"][0]["value"] = "1e999999999"

    refused(chair, forged(ret, tmp_path / "enorme.valret", key_for(tmp_path, CARLA), huge), "1E\\+999999999 ")


def test_half_a_utf16_pair_is_refused_in_italian(chair: Database, tmp_path: Path) -> None:
    """A motivazione with «\\ud800» (half of a UTF-16 pair, which JSON can spell) crashed the merge with Python's
    UnicodeEncodeError while hashing; it is refused as unusable, nothing written. A whole pair (an emoji
    spelled as two escapes) still reads."""
    ret = honest_return(chair, tmp_path, CARLA)

    def half(data: dict[str, Any]) -> None:
        data["sheets"][0]["marks"][0]["motivazione"] += "\ud800"

    refused(chair, forged(ret, tmp_path / "meta.valret", key_for(tmp_path, CARLA), half), "coppia UTF-16")
    whole = tmp_path / "emoji.zip"
    with zipfile.ZipFile(whole, "w") as zf:
        zf.writestr(PAYLOAD, json.dumps({"testo": "bene \U0001f600"}))  # written as \ud83d\ude00
    with zipfile.ZipFile(whole) as zf:
        assert read_json(zf, whole, PAYLOAD, "ritorno")[1] == {"testo": "bene \U0001f600"}


def test_duplicated_subcriterion_is_refused(chair: Database, tmp_path: Path) -> None:
    """A sub-criterion twice in one sheet used to reach the database as an IntegrityError."""
    ret = honest_return(chair, tmp_path, CARLA)
    twice = forged(
        ret,
        tmp_path / "doppio.valret",
        key_for(tmp_path, CARLA),
        lambda d: d["sheets"][0]["marks"].append(d["sheets"][0]["marks"][0]),
    )
    refused(chair, twice, "ripetuto")


def test_deeply_nested_json_is_refused(chair: Database, tmp_path: Path) -> None:
    """A payload nested beyond Python's recursion limit is unusable, not a RecursionError."""
    raw = b"[" * 100_000 + b"]" * 100_000
    deep = tmp_path / "profondo.valret"
    with zipfile.ZipFile(deep, "w") as zf:
        zf.writestr(PAYLOAD, raw)
        zf.writestr(SIGNATURE, base64.b64encode(key_for(tmp_path, CARLA).sign(raw)))
    refused(chair, deep, "JSON")


def test_one_key_for_two_members_is_refused(chair: Database, tmp_path: Path) -> None:
    """Carla's return signed with Bruno's pinned key is refused naming both, even trusting a new key."""
    merge(chair, honest_return(chair, tmp_path, BRUNO), trust=True)
    ret = honest_return(chair, tmp_path, CARLA)
    bruno = key_for(tmp_path, BRUNO)
    as_bruno = forged(ret, tmp_path / "chiave.valret", bruno, lambda d: d.update(public_key=bruno.public_hex))
    refused(chair, as_bruno, "già registrata per Bruno Verdi")


def test_return_swapped_after_the_fingerprint_was_confirmed_pins_nothing(chair: Database, tmp_path: Path) -> None:
    """The chair confirms the fingerprint of Carla's return; a return signed with another key is merged in its
    place (swapped on the shared folder before the merge read it): refused, naming both, no key pinned.
    The confirmed return itself then merges and pins Carla's key."""
    ret = honest_return(chair, tmp_path, CARLA)
    confirmed = confirmed_key(ret)
    intruder = key_for(tmp_path, "Intruso")
    swapped = forged(ret, tmp_path / "scambiato.valret", intruder, lambda d: d.update(public_key=intruder.public_hex))
    before = dump(chair.path)
    with pytest.raises(ValutazioneError) as refusal, chair.sessions.begin() as s:
        merge_return(s, swapped, confirmed)
    said = str(refusal.value)
    assert f"«{intruder.fingerprint}»" in said and f"«{confirmed}»" in said and "nessuna chiave registrata" in said
    assert dump(chair.path) == before
    with chair.sessions.begin() as s:
        assert merge_return(s, ret, confirmed).key_pinned
        assert lookup.member_by_name(s, CARLA).public_key == key_for(tmp_path, CARLA).public_hex


@pytest.mark.parametrize("typed", ["", "   ", "-", "0000 0000 0000 0000"])
def test_a_blank_or_other_fingerprint_trusts_no_key(chair: Database, tmp_path: Path, typed: str) -> None:
    """Nothing typed, only separators, or another key's fingerprint: refused, the file unchanged."""
    ret = honest_return(chair, tmp_path, CARLA)
    before = dump(chair.path)
    with pytest.raises(ValutazioneError, match="nessuna chiave registrata"), chair.sessions.begin() as s:
        merge_return(s, ret, typed)
    assert dump(chair.path) == before
