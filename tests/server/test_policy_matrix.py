"""Every cell of the policy matrix (valutazione/server/policies.py) tried with a raw psycopg connection
as that role: the rows it may touch are exactly those the rule names, no more and no fewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.server.conftest import Committee
from tests.server.probes import expected, load_facts, primary_key, probe_rows, try_action
from valutazione import audit
from valutazione.models import utcnow
from valutazione.server.policies import ACTIONS, MATRIX, ROLES, UPDATE_COLUMNS, matrix_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "politiche-server.md"
MEMBER_OF_ROLE = {"presidente": "Anna Rossi", "segretario": "Dario Neri", "componente": "Carla Verdi"}
SECOND_SCORER = "Bruno Bianchi"  # a componente who has submitted: the other side of the visibility rule
SPECIAL = {("audit", "INSERT")}  # tried by test_audit_append_only_in_chain_and_own_name below

CELLS = [
    pytest.param(table, role, action, id=f"{table}-{role}-{action}")
    for table in sorted(MATRIX)
    for role in ROLES
    for action in ACTIONS
    if (table, action) not in SPECIAL
]


def _update_column(owner: psycopg.Connection[Any], table: str, role: str, pk: str) -> str:
    granted = UPDATE_COLUMNS.get((table, role))
    return granted[0] if granted else pk


@pytest.mark.parametrize(("table", "role", "action"), CELLS)
def test_cell(committee: Committee, table: str, role: str, action: str) -> None:
    """A role touches exactly the rows its rule in the matrix allows (any client, not only the app)."""
    rule = MATRIX[table][role][action]
    names = [MEMBER_OF_ROLE[role]] + ([SECOND_SCORER] if role == "componente" else [])
    with committee.owner() as owner:
        facts = load_facts(owner)
        pk = primary_key(owner, table)
        rows = probe_rows(owner, table, committee)
        column = _update_column(owner, table, role, pk)
    assert rows, f"nessuna riga da provare in {table}"
    for name in names:
        me = committee.members[name]
        with committee.connect(name) as conn:
            got = {str(r[pk]) for r in rows if try_action(conn, table, action, r, pk, column)}
        want = {str(r[pk]) for r in rows if expected(rule.key, table, r, me, facts)}
        assert got == want, f"{name} ({role}) {action} su {table}: in più {got - want}, mancanti {want - got}"


def test_doc_prints_the_matrix() -> None:
    """docs/politiche-server.md carries the matrix the server installs, word for word."""
    assert matrix_markdown() in DOC.read_text(encoding="utf-8")


def test_every_table_is_in_the_matrix(committee: Committee) -> None:
    """No table of the committee is left out of the policies (a new table must be given its rules)."""
    with committee.owner() as owner:
        tables = {r[0] for r in owner.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        unprotected = {
            r[0]
            for r in owner.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace "
                "AND NOT (relrowsecurity AND relforcerowsecurity)"
            )
        }
    assert tables == set(MATRIX)
    assert unprotected == set()


def test_head_columns_only(committee: Committee) -> None:
    """A componente may move the log's head on the call's row only onto the last log row, never change the
    call's rules nor lift their lock (a head set by hand would stop every writer: refused)."""
    with committee.connect("Bruno Bianchi") as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("UPDATE bando SET rules_json = rules_json")
        with pytest.raises(errors.RaiseException, match="testa del registro"):
            conn.execute("UPDATE bando SET audit_head = repeat('0', 64)")
        with pytest.raises(errors.RaiseException, match="regole del bando sono bloccate"):
            conn.execute("UPDATE bando SET rules_locked_at = NULL")


def test_outsider_sees_nothing(committee: Committee) -> None:
    """A login role not linked to a member of this committee cannot even connect to its database."""
    c = committee.cluster
    with c.connect() as admin:
        admin.execute("CREATE ROLE estraneo_prova LOGIN PASSWORD 'estraneo-prova-1'")
        admin.execute("GRANT valutazione_componente TO estraneo_prova")
    c.add_password("estraneo_prova", "estraneo-prova-1")
    try:
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(c.conninfo(committee.database, user="estraneo_prova")).close()
    finally:
        with c.connect() as admin:
            admin.execute("DROP ROLE estraneo_prova")


def _audit_row(head: str, actor: str, action: str = "prova.scrittura", *, bad_hash: bool = False) -> tuple[Any, ...]:
    at = utcnow()
    # a seal as the application spells it (the server refuses any other: valutazione/server/log_rows.py)
    # (the deletion of a row that is not there: a seal only of what the same transaction wrote or removed)
    entity, row, after = (
        ("ammissibilita", "999999", '{"eliminata":true}') if action == "sigillo" else ("prova", "1", "null")
    )
    digest = audit.row_hash(head, at, actor, action, entity, row, "null", after)
    stored_at = at.isoformat(timespec="microseconds")
    return (stored_at, actor, action, entity, row, "null", after, head, "0" * 64 if bad_hash else digest)


INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


@pytest.mark.parametrize("role", ROLES)
def test_audit_append_only_in_chain_and_own_name(committee: Committee, role: str) -> None:
    """A log row enters only at the chain's end, with its true hash, in the name of who is connected."""
    name = MEMBER_OF_ROLE[role]
    other = "Bruno Bianchi" if name != "Bruno Bianchi" else "Anna Rossi"
    with committee.connect(name) as conn:
        head = str(conn.execute("SELECT audit_head FROM bando").fetchone()[0])  # type: ignore[index]
        cases: list[tuple[tuple[Any, ...], type[Exception] | None]] = [
            (_audit_row(head, name), None),
            (_audit_row(head, "sistema", "sigillo"), None),
            (_audit_row(head, other), errors.InsufficientPrivilege),
            (_audit_row(head, "sistema", "scheda.riaperta"), errors.InsufficientPrivilege),
            (_audit_row("1" * 64, name), errors.SerializationFailure),
            (_audit_row(head, name, bad_hash=True), errors.RaiseException),
        ]
        for values, refusal in cases:
            with conn.transaction(force_rollback=True):
                if refusal is None:
                    conn.execute(INSERT_AUDIT, values)
                else:
                    with pytest.raises(refusal):
                        conn.execute(INSERT_AUDIT, values)
