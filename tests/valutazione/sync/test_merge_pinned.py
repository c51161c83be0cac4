"""The merge writes, byte for byte, the rows it wrote before it was made faster (digests taken on that code).

The generated returns (``benchmarks/generate.py``) are deterministic: their keys, times and marks follow
the seed, and the chair file's identifier they carry is fixed here, so every row a merge adds is too, but
for the times the merge takes from the clock (the log rows' and the merged package's) and the log hashes
that cover them. Those columns are left out of the digest; the chain check recomputes every hash from the
stored columns, so a hash that does not follow from them still fails the test.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

import benchmarks.generate as generate
from valutazione import audit, seals
from valutazione.db import open_database
from valutazione.sync.merge import merge_return

# Taken on the merge as it was before round four (main at 9a05d06), with this same digest.
PINNED = {
    "audit": (1044, "0e6e2d138442ca5403dddc114415e7fb3815506eff146cb6f6773e1a7355a26f"),
    "blob": (6, "c2044199ccfe71b3167c2b95667711f5431bda7c6ba2c7751f00259071ce8ea6"),
    "conflitto": (348, "23890a7aabcf9fbe714e8953e9562c8200f866121c55e2ee641292759868408c"),
    "pacchetto": (3, "78960546c110f31fc864112e57aca779c4afba1cddd19abc350337c3e23f6d3a"),
    "scheda": (345, "05241d6d30ca6a30f487b30c68f637f712252e67567fe7967b59b3e34669f824"),
    "voto": (3105, "094a5b470572b4806d00ad5029e5a96bcd7a5e3fb3fbd6bd1e308bf3fc9c8604"),
}
_CLOCK = {"audit": ("at", "prev_hash", "hash"), "pacchetto": ("at",)}  # the columns that follow the clock
_ADDED = "SELECT * FROM main.{t} WHERE rowid > (SELECT coalesce(max(rowid), 0) FROM base.{t}) ORDER BY rowid"


def _added(base: Path, merged: Path) -> dict[str, tuple[int, str]]:
    """Per table that the merge grew: how many rows it added and the SHA-256 of their values, in rowid order."""
    con = sqlite3.connect(merged)
    try:
        con.execute("ATTACH ? AS base", (f"file:{base}?mode=ro",))
        names = [row[0] for row in con.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")]
        out = {}
        for table in sorted(names):
            if table.startswith("sqlite_") or table == "alembic_version":
                continue
            cursor = con.execute(_ADDED.format(t=f'"{table}"'))
            columns = [d[0] for d in cursor.description]
            kept = [i for i, c in enumerate(columns) if c not in _CLOCK.get(table, ())]
            digest = hashlib.sha256(repr([columns[i] for i in kept]).encode())
            count = 0
            for row in cursor:
                digest.update(repr([row[i] for i in kept]).encode())
                count += 1
            if count:
                out[table] = (count, digest.hexdigest())
        return out
    finally:
        con.close()


def test_merged_rows_are_the_rows_merged_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Merge fast paths: sheets, marks, declarations, signed returns and log rows are those the old merge
    wrote, byte for byte, and the chain and every seal still hold."""
    monkeypatch.setattr(generate, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=11, version=4))  # the file's identifier, signed
    base, returns = generate.generate_merge(generate.Spec(120, 3, seed=12))  # three declared conflicts
    chair = generate.merged_copy(base, returns, tmp_path / "chair.valutazione")
    db = open_database(chair)
    try:
        with db.sessions() as s:
            assert audit.verify_chain(s).ok
            assert seals.verify_seals(s) == []
    finally:
        db.close()
    assert _added(base, chair) == PINNED


def test_hand_edit_between_two_returns_refuses_the_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seals before each return: a mark edited by hand after one return is merged stops the next one, on the
    same open file, with nothing of it written (the check remembered on the connection does not hide it)."""
    monkeypatch.setattr(generate, "CACHE", tmp_path / "cache")
    base, returns = generate.generate_merge(generate.Spec(30, 3, seed=12))
    chair = tmp_path / "chair.valutazione"
    shutil.copy(base, chair)
    db = open_database(chair)
    try:
        with db.sessions.begin() as s:
            merge_return(s, returns[0])
        con = sqlite3.connect(chair)
        with con:
            con.execute("UPDATE voto SET value = '0' WHERE id = (SELECT min(id) FROM voto WHERE value <> '0')")
        counts = con.execute("SELECT (SELECT count(*) FROM scheda), (SELECT count(*) FROM audit)").fetchone()
        with pytest.raises(seals.BrokenSealError, match="Scheda di"), db.sessions.begin() as s:
            merge_return(s, returns[1])
        assert con.execute("SELECT (SELECT count(*) FROM scheda), (SELECT count(*) FROM audit)").fetchone() == counts
        con.close()
    finally:
        db.close()
