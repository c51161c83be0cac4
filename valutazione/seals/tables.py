"""Verification of the row seals: every decisive row re-read, hashed and compared with its last seal."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from valutazione.models import Commissario, Domanda, Seduta
from valutazione.seals.report import BrokenSeal
from valutazione.seals.rows import SEALED_TABLES, Seal, logged_seals, read_rows

LABELS = {
    "commissario": "Componente della commissione",
    "dichiarazione": "Dichiarazione di assenza di incompatibilità",
    "conflitto": "Dichiarazione di conflitto",
    "ammissibilita": "Esito di ammissibilità",
    "soccorso": "Soccorso istruttorio",
    "sorteggio": "Sorteggio",
    "rinuncia": "Rinuncia",
    "seduta": "Seduta",
    "presenza": "Presenza in seduta",
    "erogazione": "Erogazione",
    "convenzione": "Convenzione",
    "fase_affiancamento": "Fase del piano di affiancamento",
    "sessione_affiancamento": "Incontro di affiancamento",
    "indicatore_obiettivo": "Obiettivo di un indicatore",
    "indicatore_valore": "Valore rilevato di un indicatore",
    "referente": "Referente del monitoraggio",
    "graduatoria": "Graduatoria approvata",
    "confronto": "Confronto a coppie",
}


def _namer(session: Session) -> Callable[[str, int], str]:
    """Names a row as the committee would («Dichiarazione di conflitto di X su PG 1/2018»), read lazily."""
    members: dict[int, str] = dict(session.execute(select(Commissario.id, Commissario.name)).all())
    protocols: dict[int, str] = dict(session.execute(select(Domanda.id, Domanda.protocol)).all())
    sessions: dict[int, int] = dict(session.execute(select(Seduta.id, Seduta.number)).all())

    def name(table: str, row_id: int) -> str:
        label = LABELS.get(table, table)
        model = SEALED_TABLES[table]
        t = model.__table__
        assert isinstance(t, Table)
        row = session.connection().execute(select(t).where(t.c.id == row_id)).first()
        if row is None:
            return f"{label} n. {row_id}"
        values = dict(row._mapping)
        parts = [label]
        if table == "commissario":
            parts.append(str(values["name"]))
        elif table == "graduatoria":
            parts.append(f"versione {values['version']}")
        elif table == "seduta":
            parts.append(f"n. {values['number']}")
        elif table == "confronto":
            pair = " / ".join(protocols.get(values[k], "?") for k in ("domanda_a_id", "domanda_b_id"))
            member = members.get(values["commissario_id"], "?")
            return f"{label} di {member} su {pair} (sottocriterio {values['sub_code']})"
        if "commissario_id" in values:
            parts.append(f"di {members.get(values['commissario_id'], '?')}")
        if "domanda_id" in values:
            parts.append(f"su {protocols.get(values['domanda_id'], '?')}")
        if "seduta_id" in values and values["seduta_id"] is not None:
            parts.append(f"(seduta n. {sessions.get(values['seduta_id'], '?')})")
        return " ".join(parts)

    return name


def rows(conn: Connection, table: Table, seals: dict[tuple[str, int], Seal]) -> Iterator[tuple[int, str]]:
    """(id, digest) of every row of ``table``: on SQLite spelled by the database where it can vouch for them
    (``seals.rows_sqlite``), else read and hashed here."""
    if conn.dialect.name == "sqlite":
        from valutazione.seals.rows_sqlite import digests

        return digests(conn, table, seals)
    return read_rows(conn, table)


def check_tables(
    session: Session, tick: Callable[[int], None], seals: dict[tuple[str, int], Seal] | None = None
) -> list[BrokenSeal]:
    """Every decisive row against its latest seal (``seals``: read with the chain, else from the log here)."""
    if seals is None:
        seals = logged_seals(session)
    name = _namer(session)
    by_table: dict[str, list[tuple[int, Seal]]] = {}  # the seals per table, in the log's order
    for (sealed_table, sealed_id), entry in seals.items():
        by_table.setdefault(sealed_table, []).append((sealed_id, entry))
    broken: list[BrokenSeal] = []
    for table_name, model in SEALED_TABLES.items():
        table = model.__table__
        assert isinstance(table, Table)
        present: set[int] = set()
        count = 0
        for row_id, digest in rows(session.connection(), table, seals):
            present.add(row_id)
            count += 1
            seal = seals.get((table_name, row_id))
            if seal is None:
                broken.append(
                    BrokenSeal(
                        table_name,
                        name(table_name, row_id),
                        "non è registrata nel registro "
                        "delle operazioni (aggiunta fuori dall'applicazione o registro troncato)",
                    )
                )
            elif seal.digest is None:
                broken.append(
                    BrokenSeal(
                        table_name, name(table_name, row_id), "il registro la dà eliminata, ma è presente nel file"
                    )
                )
            elif seal.digest != digest:
                broken.append(
                    BrokenSeal(
                        table_name,
                        name(table_name, row_id),
                        f"non corrisponde all'impronta registrata (riga {seal.audit_id} del registro)",
                    )
                )
        tick(count)
        for row_id, logged in by_table.get(table_name, ()):
            if logged.digest is not None and row_id not in present:
                broken.append(
                    BrokenSeal(
                        table_name,
                        f"{LABELS.get(table_name, table_name)} n. {row_id}",
                        f"è stata eliminata senza traccia (registrata alla riga {logged.audit_id})",
                    )
                )
    return broken
