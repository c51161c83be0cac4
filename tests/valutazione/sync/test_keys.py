"""The laptop's Ed25519 key: created once, private file 0600, a short fingerprint to read aloud."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from valutazione.paths import user_data_dir
from valutazione.sync.keys import PRIVATE_NAME, fingerprint, load_or_create_key, verify


def test_key_is_created_once_in_user_data_with_private_mode() -> None:
    """The key lives in the user data directory, readable by its owner only, and is reused."""
    key = load_or_create_key()
    assert key.path == user_data_dir() / "keys" / PRIVATE_NAME
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert load_or_create_key().public_hex == key.public_hex


def test_fingerprint_is_four_groups_of_four_hex(tmp_path: Path) -> None:
    """The fingerprint is the first 16 hex digits of SHA-256 of the raw key, grouped for reading aloud."""
    key = load_or_create_key(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", key.fingerprint)
    assert fingerprint(key.public_hex) == key.fingerprint
    assert load_or_create_key(tmp_path / "altro").fingerprint != key.fingerprint


def test_signature_verifies_only_the_signed_bytes(tmp_path: Path) -> None:
    """A signature checks against its key and its exact bytes, nothing else."""
    key = load_or_create_key(tmp_path)
    sig = key.sign(b"schede")
    assert verify(key.public_hex, b"schede", sig)
    assert not verify(key.public_hex, b"schedE", sig)
    assert not verify(load_or_create_key(tmp_path / "altro").public_hex, b"schede", sig)
