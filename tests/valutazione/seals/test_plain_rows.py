"""Rows read through the driver's cursor are the rows SQLAlchemy gives, value for value and type for type."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import String, select, type_coerce

from tests.valutazione.seals.test_seals import sealed_template
from valutazione.db import backup_to, open_database
from valutazione.models import AuditRow, Scheda, Voto
from valutazione.seals.rows import streamed_rows

__all__ = ["sealed_template"]


def test_plain_rows_equal_sqlalchemys_on_hostile_values(sealed_template: Path, tmp_path: Path) -> None:
    """Seals of sheets: marks read by the driver equal SQLAlchemy's, also for values written underneath."""
    path = tmp_path / "copia.valutazione"
    backup_to(sealed_template, path)
    con = sqlite3.connect(path)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM voto ORDER BY id LIMIT 4")]
        con.execute("UPDATE voto SET motivazione = ? WHERE id = ?", ('virgolette " \\ a capo\n\x00 è 🙂', ids[0]))
        con.execute("UPDATE voto SET value = 7 WHERE id = ?", (ids[1],))
        con.execute("UPDATE voto SET value = NULL WHERE id = ?", (ids[2],))
        con.execute("UPDATE voto SET motivazione = X'00FF' WHERE id = ?", (ids[3],))
        con.commit()
    finally:
        con.close()
    marks = (
        select(Voto.scheda_id, Voto.sub_code, type_coerce(Voto.value, String), Voto.motivazione)
        .join(Scheda, Scheda.id == Voto.scheda_id)
        .where(Scheda.state == "inviata")
        .order_by(Voto.scheda_id, Voto.sub_code)
    )
    converted = select(AuditRow.id, AuditRow.at).order_by(AuditRow.id)  # ``at`` is converted: SQLAlchemy's path
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            conn = s.connection()
            for query in (marks, converted):
                ours = [tuple(r) for r in _rows(conn, query)]
                theirs = [tuple(r) for r in conn.execute(query).all()]
                assert ours == theirs and len(ours) > 10
                assert [tuple(map(type, r)) for r in ours] == [tuple(map(type, r)) for r in theirs]
            assert {type(r[3]) for r in _rows(conn, marks)} == {str, bytes}
            assert None in {r[2] for r in _rows(conn, marks)}
    finally:
        db.close()


def _rows(conn: Any, query: Any) -> list[Any]:
    """Every row, through chunks of three (a chunk boundary inside the data)."""
    return [row for chunk in streamed_rows(conn, query, size=3) for row in chunk]
