"""Connecting to a committee server: the engine, the password, the schema revision found there.

libpq looks the password up itself (``PGPASSFILE``, ``~/.pgpass``); only when the server asks for one that
it did not find is the installed prompt called (``url.set_password_prompt``), once, and the answer kept
in the engine's connect arguments for the life of the engine — never written anywhere. A read-only
opening is enforced by the server (``default_transaction_read_only``), not only by the application.

Every session ends any transaction left idle for ``IDLE_IN_TRANSACTION_TIMEOUT``: a writer holds the
row lock of the log's head until it commits, so an application frozen (or a laptop put to sleep) in the
middle of a write would otherwise stop every other member's writes for as long as it stays so. The
server rolls the idle transaction back whole and closes its session; the next writer proceeds.

Every session also turns PostgreSQL's just-in-time compilation off (see ``_arguments``): the
application's statements are short, and compiling them cost more than running them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError

from valutazione.errors import DatabaseError
from valutazione.server.url import ServerAddress, ask_password

_PASSWORD_ASKED = ("no password supplied", "password authentication failed")
TIMEOUT_SECONDS = 10
IDLE_IN_TRANSACTION_TIMEOUT = "5min"  # no user action keeps a transaction open while waiting for a person


def _arguments(read_only: bool, password: str | None) -> dict[str, Any]:
    args: dict[str, Any] = {"connect_timeout": TIMEOUT_SECONDS, "application_name": "valutazione"}
    # No just-in-time compilation: the visibility rules' functions are planned for every role at once,
    # so the estimate of a branch never taken (the secretary's) puts each statement through them past
    # PostgreSQL's JIT threshold, and compiling took ~0.4 s a statement for a query of ~30 ms: the chair's
    # home page at 5,000 applications 0.6-0.8 s instead of 0.2 s, the ranking 1.5-1.7 s instead of 0.7-0.8 s.
    options = [f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT}", "-c jit=off"]
    if read_only:
        options.append("-c default_transaction_read_only=on")
    args["options"] = " ".join(options)
    if password is not None:
        args["password"] = password
    return args


class ConnectionLostError(DatabaseError):
    """The server went away in the middle of a transaction; the server rolled it back whole."""


def _make(address: ServerAddress, read_only: bool, password: str | None) -> Engine:
    engine = create_engine(address.sqlalchemy_url(), connect_args=_arguments(read_only, password), pool_pre_ping=True)

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> DatabaseError | None:
        if not context.is_disconnect:
            return None
        return ConnectionLostError(
            f"Il collegamento al server della commissione ({address.host}) si è interrotto: l'ultima modifica "
            "non è stata salvata (il server annulla per intero la transazione incompleta); i dati salvati in "
            "precedenza sono integri. Ricollegarsi e ripetere l'operazione."
        )

    return engine


def server_engine(address: ServerAddress, *, read_only: bool = False) -> Engine:
    """An engine whose first connection has succeeded (asking the password once if libpq had none)."""
    engine = _make(address, read_only, None)
    try:
        _probe(engine, address)
        return engine
    except _PasswordNeededError:
        engine.dispose()
    engine = _make(address, read_only, ask_password(address))
    try:
        _probe(engine, address)
    except _PasswordNeededError as exc:
        engine.dispose()
        raise DatabaseError(
            f"Il server {address.host} non ha accettato la password dell'utente «{address.user}»."
        ) from exc
    return engine


class _PasswordNeededError(Exception):
    pass


def _probe(engine: Engine, address: ServerAddress) -> None:
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        message = str(exc.orig).strip()
        if any(needle in message for needle in _PASSWORD_ASKED):
            raise _PasswordNeededError from exc
        engine.dispose()
        raise DatabaseError(f"Impossibile collegarsi al server della commissione {address}: {message}") from exc


def current_revision(conn: Connection, address: ServerAddress) -> str | None:
    """The schema revision in the database, or None when it is empty; refuses a foreign database."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if tables:
            raise DatabaseError(
                f"Il database «{address.database}» sul server contiene già altre tabelle: non è un database "
                "di valutazione. Indicare un database vuoto (CREATE DATABASE) o quello della commissione."
            )
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def require_empty(conn: Connection, address: ServerAddress) -> None:
    """A new committee (``new``, ``server push``) goes only into a database holding nothing yet."""
    if current_revision(conn, address) is not None:
        raise DatabaseError(
            f"Il database «{address.database}» sul server contiene già un bando: indicare un database vuoto."
        )
