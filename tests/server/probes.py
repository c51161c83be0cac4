"""Trying one cell of the policy matrix: which rows a role reads, inserts, updates, deletes for real.

Every write is tried row by row inside a savepoint of a transaction that is rolled back, so the shared
committee is never changed. An error that comes from a constraint (unique, foreign key) means the
policy let the row through; a refusal is a privilege error, a row filtered out, or a trigger's error.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors, sql

from tests.server.conftest import Committee

ALLOWED_ERRORS = (errors.IntegrityError,)  # unique, foreign key, check: the policy had let it through
REFUSED_ERRORS = (errors.InsufficientPrivilege, errors.RaiseException, errors.SerializationFailure)
PROBE_LIMIT = 40


@dataclass
class Facts:
    """What the owner sees, to compute what each role should see."""

    members: dict[int, tuple[str, str]]  # id → (name, role)
    conflicts: set[tuple[int, int]]  # (member, domanda) with a conflict
    sheets: dict[int, tuple[int, int, str]]  # id → (author, domanda, state)
    shas_by_domanda: dict[int, set[str]]
    comparisons: dict[int, int]  # confronto id → its member
    returns: dict[str, str]  # sha256 of a merged return's payload or signature → its member's name

    def scorers(self) -> set[int]:
        return {i for i, (_, role) in self.members.items() if role in ("presidente", "componente")}

    def sees_marks(self, me: int, sheet_id: int) -> bool:
        author, d, state = self.sheets[sheet_id]
        role = self.members[me][1]
        if author == me:
            return True
        if state != "inviata" or (me, d) in self.conflicts:
            return False
        if role == "presidente":
            return True
        if role == "componente":
            return any(a == me and x == d and st == "inviata" for a, x, st in self.sheets.values())
        expected = {m for m in self.scorers() if (m, d) not in self.conflicts}
        done = {a for a, x, st in self.sheets.values() if x == d and st == "inviata"}
        return expected <= done

    def sees_sheet(self, me: int, sheet_id: int) -> bool:
        d, state = self.sheets[sheet_id][1:]
        admin = self.members[me][1] in ("presidente", "segretario") and (me, d) not in self.conflicts
        admin = admin and state == "bozza"
        return admin or self.sees_marks(me, sheet_id)

    def conflicted_shas(self, me: int) -> set[str]:
        return {sha for (m, d) in self.conflicts if m == me for sha in self.shas_by_domanda.get(d, set())}


def load_facts(owner: psycopg.Connection[Any]) -> Facts:
    members = {r[0]: (r[1], r[2]) for r in owner.execute("SELECT id, name, role FROM commissario")}
    conflicts = {
        (r[0], r[1]) for r in owner.execute("SELECT commissario_id, domanda_id FROM conflitto WHERE has_conflict")
    }
    sheets = {
        r[0]: (r[1], r[2], r[3]) for r in owner.execute("SELECT id, commissario_id, domanda_id, state FROM scheda")
    }
    shas: dict[int, set[str]] = {}
    for d, sha in owner.execute("SELECT domanda_id, sha256 FROM allegato WHERE sha256 IS NOT NULL"):
        shas.setdefault(d, set()).add(sha)
    comparisons = {r[0]: r[1] for r in owner.execute("SELECT id, commissario_id FROM confronto")}
    returns: dict[str, str] = {}
    for (after,) in owner.execute("SELECT after_json FROM audit WHERE action = 'pacchetto.ritorno.importato'"):
        merged = json.loads(after)
        returns.update({merged[k]: merged["commissario"] for k in ("ritorno", "firma") if k in merged})
    return Facts(members, conflicts, sheets, shas, comparisons, returns)


def sees_log_row(row: dict[str, Any], me: int, facts: Facts) -> bool:
    """The Python twin of ``AUDIT_SELECT``: sheets by the visibility rule, returns and (for a componente)
    pairwise comparisons only one's own."""
    name, role = facts.members[me]
    entity, entity_id = row["entity"], row["entity_id"]
    if row["action"] == "pacchetto.ritorno.importato":
        return bool(json.loads(row["after_json"]).get("commissario") == name)
    if row["action"] == "confronto.salvato":
        return role != "componente" or row["actor"] == name
    if entity == "confronto":
        return role != "componente" or (entity_id.isdigit() and facts.comparisons.get(int(entity_id)) == me)
    return entity != "scheda" or (entity_id.isdigit() and len(entity_id) < 10 and facts.sees_marks(me, int(entity_id)))


def expected(key: str, table: str, row: dict[str, Any], me: int, facts: Facts) -> bool:
    """Whether rule ``key`` lets member ``me`` touch ``row`` of ``table`` (the Python twin of the SQL)."""
    domanda = row.get("domanda_id", row.get("id") if table == "domanda" else None)
    own_sheet_draft = lambda sid: facts.sheets[sid][0] == me and facts.sheets[sid][2] == "bozza"  # noqa: E731
    return {
        "tutte": lambda: True,
        "nessuna": lambda: False,
        "proprie": lambda: row.get("commissario_id") == me,
        "proprie_fuori_conflitto": lambda: (
            row["commissario_id"] == me and not {(me, row["domanda_a_id"]), (me, row["domanda_b_id"])} & facts.conflicts
        ),
        "non_in_conflitto": lambda: (
            row["sha256"] not in facts.conflicted_shas(me)
            and facts.returns.get(row["sha256"], facts.members[me][0]) == facts.members[me][0]
            if table == "blob"
            else (me, domanda) not in facts.conflicts
        ),
        "scheda_visibile": lambda: facts.sees_sheet(me, row["id"]),
        "voti_visibili": lambda: facts.sees_marks(me, row["scheda_id"]),
        "proprie_bozze": lambda: row["commissario_id"] == me and row["state"] == "bozza",
        "proprie_bozze_o_riapertura": lambda: row["commissario_id"] == me and row["state"] == "bozza",
        "voti_proprie_bozze": lambda: own_sheet_draft(row["scheda_id"]),
        "registro_visibile": lambda: sees_log_row(row, me, facts),
        "solo_testa_del_registro": lambda: True,
    }[key]()


def primary_key(owner: psycopg.Connection[Any], table: str) -> str:
    row = owner.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary",
        (table,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def probe_rows(owner: psycopg.Connection[Any], table: str, c: Committee) -> list[dict[str, Any]]:
    """The rows tried: all of a small table; of a large one, those about the first four applications
    (where the conflict and the submitted sheets are) and the first ones by key."""
    pk = primary_key(owner, table)
    cur = owner.cursor(row_factory=psycopg.rows.dict_row)
    first = c.domande[:4]
    where = {
        "scheda": sql.SQL("domanda_id = ANY(%s)"),
        "voto": sql.SQL("scheda_id IN (SELECT id FROM scheda WHERE domanda_id = ANY(%s))"),
        "allegato": sql.SQL("domanda_id = ANY(%s)"),
        "domanda": sql.SQL("id = ANY(%s)"),
        "audit": sql.SQL(
            "(entity = 'scheda' AND entity_id::int IN (SELECT id FROM scheda WHERE domanda_id = ANY(%s))) OR id < 20"
        ),
    }.get(table)
    if where is not None:
        query = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY {}").format(
            sql.Identifier(table), where, sql.Identifier(pk)
        )
        return list(cur.execute(query, (first,)))
    query = sql.SQL("SELECT * FROM {} ORDER BY {} LIMIT %s").format(sql.Identifier(table), sql.Identifier(pk))
    return list(cur.execute(query, (PROBE_LIMIT,)))


def _outcome(conn: psycopg.Connection[Any], statement: sql.Composable, params: Iterable[Any]) -> bool:
    """True when the statement touched its row (or reached a constraint), False when it was refused."""
    try:
        with conn.transaction(force_rollback=True):
            cur = conn.execute(statement, tuple(params))
            return cur.rowcount > 0
    except ALLOWED_ERRORS:
        return True
    except REFUSED_ERRORS:
        return False


def try_action(
    conn: psycopg.Connection[Any], table: str, action: str, row: dict[str, Any], pk: str, update_column: str
) -> bool:
    t, key = sql.Identifier(table), sql.Identifier(pk)
    if action == "SELECT":
        try:
            with conn.transaction(force_rollback=True):
                q = sql.SQL("SELECT 1 FROM {} WHERE {} = %s").format(t, key)
                return conn.execute(q, (row[pk],)).fetchone() is not None
        except errors.InsufficientPrivilege:
            return False
    if action == "UPDATE":
        col = sql.Identifier(update_column)
        return _outcome(conn, sql.SQL("UPDATE {} SET {} = {} WHERE {} = %s").format(t, col, col, key), [row[pk]])
    if action == "DELETE":
        return _outcome(conn, sql.SQL("DELETE FROM {} WHERE {} = %s").format(t, key), [row[pk]])
    copy = dict(row)
    if table != "credenziale":  # there the key is the member: a copy must stay theirs
        value = copy[pk]
        copy[pk] = 10_000_000 + value if isinstance(value, int) else secrets.token_hex(32)
    payload = json.dumps({k: ("\\x" + v.hex() if isinstance(v, bytes) else v) for k, v in copy.items()}, default=str)
    statement = sql.SQL("INSERT INTO {} SELECT * FROM json_populate_record(NULL::{}, %s::json)").format(t, t)
    return _outcome(conn, statement, [payload])
