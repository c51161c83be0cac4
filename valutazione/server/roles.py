"""Roles on a committee server: ``server init`` (group roles, policies, triggers) and ``server member add``.

The chair (or whoever owns the committee's database) runs both. ``init`` is one transaction: the group
roles (``valutazione_presidente``, ``_segretario``, ``_componente``, NOLOGIN, shared by the committees of
the same server), the database closed to PUBLIC, row-level security enabled and FORCEd on every table, the
policies of valutazione/server/policies.py and the triggers of valutazione/server/sql.py; run again, it
replaces them with the current ones. ``member add`` creates a member's LOGIN role (the password is turned
into a SCRAM verifier here, so the clear text never reaches the server nor its logs), puts it in the
group of the member's committee role and links it to the member (table ``ruolo_server``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.db import Database, open_database
from valutazione.errors import DatabaseError, RuleViolation
from valutazione.models import Commissario, RuoloServer
from valutazione.server import log_rows, policies, sql
from valutazione.server.url import ServerAddress, is_server_url

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MIN_PASSWORD = 12


def _server(url: str) -> Database:
    if not is_server_url(url):
        raise DatabaseError(f"«{url}» non è l'indirizzo di un server (postgresql://utente@host:porta/database).")
    return open_database(url)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ensure_group(conn: Connection, role: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.execute(text(f"CREATE ROLE {_ident(role)} NOLOGIN"))


@dataclass(frozen=True)
class InitReport:
    tables: int
    policies: int

    def summary(self) -> str:
        return f"{self.tables} tabelle protette, {self.policies} regole di accesso installate"


def init(url: str, actor: str = "sistema") -> InitReport:
    """Installs (or replaces) roles, privileges, policies and triggers; recorded in the log."""
    db = _server(url)
    try:
        with db.sessions.begin() as s:
            conn = s.connection()
            owner = str(conn.execute(text("SELECT current_user")).scalar_one())
            database = str(conn.execute(text("SELECT current_database()")).scalar_one())
            _require_privileges(conn, owner)
            for group in (policies.group_role(r) for r in policies.ROLES):
                _ensure_group(conn, group)
            count = install_rules(conn, owner)
            audit.record(
                s,
                actor,
                "server.politiche_installate",
                "server",
                database,
                None,
                {"tabelle": len(policies.MATRIX), "regole": count, "proprietario": owner},
            )
        return InitReport(len(policies.MATRIX), count)
    finally:
        db.close()


def install_rules(conn: Connection, owner: str) -> int:
    """Grants, policies, functions and triggers of this version, replacing any earlier ones; returns the
    number of policies. ``owner`` keeps every row; the group roles must exist. Shared by ``init`` and by
    the migrations that bring an existing server's rules up to date."""
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    groups = [policies.group_role(r) for r in policies.ROLES]
    grants = [
        f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {_ident(schema)} FROM PUBLIC",
        *(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {g}" for g in groups),
        *(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_ident(schema)} TO {g}" for g in groups),
    ]
    statements = [*policies.drop_statements(), *sql.install(schema), *log_rows.install(schema, owner)]
    statements += grants + policies.statements(owner)
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:  # no parameters: the plpgsql bodies' own % stay as written
        for stmt in statements:
            cursor.execute(stmt)
    return sum(1 for stmt in statements if stmt.startswith("CREATE POLICY"))


def rules_installed(conn: Connection) -> bool:
    """Whether ``server init`` has run on this database (its who-am-I function is there)."""
    return bool(conn.execute(text("SELECT to_regprocedure('valutazione_io()') IS NOT NULL")).scalar_one())


def _require_privileges(conn: Connection, owner: str) -> None:
    row = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = :r"), {"r": owner}
    ).scalar_one()
    if not row:
        raise RuleViolation(
            f"L'utente «{owner}» non può creare ruoli sul server (serve CREATEROLE): chiedere all'amministratore "
            "del server di concederlo, oppure di eseguire «valutazione server init» con un utente che lo abbia."
        )


def default_role_name(member: str) -> str:
    """``Anna Rossi`` → ``anna_rossi``: what ``member add`` uses when no ``--utente`` is given."""
    ascii_name = member.lower().translate(str.maketrans("àèéìòù", "aeeiou"))
    return re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:63] or "commissario"


def add_member(url: str, name: str, password: str, *, role: str | None = None, login: str | None = None) -> str:
    """Creates ``login`` (or a name made from the member's) and links it to the member; returns it."""
    login = login or default_role_name(name)
    if not ROLE_NAME.match(login):
        raise RuleViolation(
            f"Nome utente «{login}» non valido: solo lettere minuscole senza accenti, cifre e «_», al massimo 63."
        )
    if len(password) < MIN_PASSWORD:
        raise RuleViolation(f"La password deve avere almeno {MIN_PASSWORD} caratteri.")
    db = _server(url)
    try:
        with db.sessions.begin() as s:
            member = _member(s, name, role)
            conn = s.connection()
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first():
                raise RuleViolation(f"L'utente «{login}» esiste già sul server: indicarne un altro con --utente.")
            if s.get(RuoloServer, member.id) is not None:
                raise RuleViolation(f"{member.name} ha già un utente sul server della commissione.")
            group = policies.group_role(member.role)
            if conn.execute(text("SELECT to_regprocedure('valutazione_io()') IS NULL")).scalar_one():
                raise RuleViolation("Il server non è ancora preparato: eseguire prima «valutazione server init».")
            verifier = _verifier(conn, login, password)
            database = str(conn.execute(text("SELECT current_database()")).scalar_one())
            conn.exec_driver_sql(f"CREATE ROLE {_ident(login)} LOGIN PASSWORD '{verifier}' IN ROLE {group}")
            conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {_ident(login)}")
            s.add(RuoloServer(commissario_id=member.id, db_role=login))
            s.flush()
            audit.record(
                s,
                "sistema",
                "server.utente_creato",
                "commissario",
                member.id,
                None,
                {"utente": login, "ruolo": member.role},
            )
        return login
    finally:
        db.close()


def _member(s: Session, name: str, role: str | None) -> Commissario:
    member = s.scalars(select(Commissario).where(Commissario.name == name)).first()
    if member is None:
        raise RuleViolation(
            f"Nessun componente della commissione si chiama «{name}»: aggiungerlo prima con «valutazione member add»."
        )
    if role is not None and role != member.role:
        raise RuleViolation(f"{member.name} è {member.role} nella commissione, non {role}.")
    return member


def _verifier(conn: Connection, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier computed by libpq on this side: the server never sees the password."""
    raw: Any = conn.connection.driver_connection
    verifier = bytes(raw.pgconn.encrypt_password(password.encode("utf-8"), login.encode("utf-8"), b"scram-sha-256"))
    value = verifier.decode("ascii")
    if "'" in value:  # pragma: no cover - a verifier is base64 and '$'/':' only
        raise DatabaseError("Verificatore della password non valido.")
    return value


def connected_member(s: Session) -> str | None:
    """The member whose login role this session is connected as (None on a file, or for the owner)."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    if not s.scalar(text("SELECT to_regprocedure('valutazione_nome()') IS NOT NULL")):
        return None
    name = s.scalar(text("SELECT valutazione_nome()"))
    return None if name is None else str(name)


def address_for(url: str, login: str) -> str:
    """The address a member uses: the committee's, with their own user name."""
    a = ServerAddress.parse(url)
    return f"postgresql://{login}@{a.host}:{a.port}/{a.database}"
