"""The texts the verification spells out by hand are byte for byte the canonical JSON the seals were made on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table, select

from valutazione import audit
from valutazione.db import open_database
from valutazione.demo import build_demo
from valutazione.seals.rows import SEALED_TABLES, read_rows, row_digest
from valutazione.seals.sheets import Fragments, sheet_text

HOSTILE = ["", "Nadia Cattaneo", 'virgolette " e \\ barra', "a capo\ne\ttab\r\x00\x1f\x7f", "è à ü € 🙂", "</script>"]


def test_sheet_text_is_the_canonical_json_of_the_content() -> None:
    """Seal of a sheet: the hand-spelled text equals canonical_json of the content, for hostile strings and None,
    also with the fragments of every earlier sheet remembered."""
    shared: Fragments = {}
    for text in HOSTILE:
        marks: list[tuple[str, str | None, str | None]] = [
            (text, "7.5", text),
            ("A1", None, None),
            ("B2", text, "motivazione"),
        ]
        for rows in (marks, [], marks[:1]):
            content = {
                "bando": text,
                "commissario": text + "x",
                "protocollo": "PG 1/2018",
                "voti": [{"sottocriterio": c, "valore": v, "motivazione": m} for c, v, m in rows],
            }
            assert sheet_text(text, text + "x", "PG 1/2018", rows) == audit.canonical_json(content)
            assert sheet_text(text, text + "x", "PG 1/2018", rows, shared) == audit.canonical_json(content)


def test_sheet_text_of_a_value_stored_underneath_as_a_number_hashes_as_before() -> None:
    """Seal of a sheet: a non-string field (written underneath) takes the general encoder, as before."""
    rows = [("A1", 3, None)]
    expected = audit.canonical_json(
        {
            "bando": "B",
            "commissario": "C",
            "protocollo": "P",
            "voti": [{"sottocriterio": "A1", "valore": 3, "motivazione": None}],
        }
    )
    assert sheet_text("B", "C", "P", rows) == expected  # type: ignore[arg-type]
    shared: Fragments = {("A1", "3"): ',"sottocriterio":"A1","valore":"3"}'}
    assert sheet_text("B", "C", "P", rows, shared) == expected  # type: ignore[arg-type]
    numbered = [(1, "3", None)]
    assert sheet_text("B", "C", "P", numbered, {("1", "3"): "x", (True, "3"): "y"}) == audit.canonical_json(  # type: ignore[arg-type, dict-item]
        {
            "bando": "B",
            "commissario": "C",
            "protocollo": "P",
            "voti": [{"sottocriterio": 1, "valore": "3", "motivazione": None}],
        }
    )


def test_log_row_hash_is_the_hash_of_the_canonical_list() -> None:
    """Audit chain: the spelled-out row hash equals the hash of canonical_json of the row's fields, as written."""
    import hashlib

    at = datetime(2018, 4, 16, 10, 12, 0, 123, tzinfo=UTC)
    for text in HOSTILE:
        fields = ["0" * 64, at, text, "scheda.inviata", "scheda", "12", "null", json.dumps({"t": text})]
        payload = audit.canonical_json([fields[0], at.isoformat(), *fields[2:]])
        expected = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        assert audit.row_hash(*fields) == expected  # type: ignore[arg-type]


def test_row_digests_read_in_bulk_equal_the_digest_by_column_name(tmp_path: Path) -> None:
    """Row seals: every sealed row hashed from its values in schema order, as by column name."""
    path = build_demo(tmp_path / "demo.valutazione")
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            conn = s.connection()
            checked = 0
            for model in SEALED_TABLES.values():
                table = model.__table__
                assert isinstance(table, Table)
                by_name = {row._mapping["id"]: row_digest(table, row) for row in conn.execute(select(table))}
                assert dict(read_rows(conn, table)) == by_name
                assert dict(read_rows(conn, table, list(by_name))) == by_name
                checked += len(by_name)
            assert checked > 50
    finally:
        db.close()
