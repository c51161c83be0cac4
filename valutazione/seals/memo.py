"""Whether a file found intact may have changed since: SQLite's ``PRAGMA data_version``, per connection.

Every export, package, merge and approval verifies the whole file first (``require_intact``): at 5,000
applications that is seconds each time, and a merge of five returns paid it five times. SQLite tells,
per connection, whether *another* connection has committed to the file since the last look: the number
``PRAGMA data_version`` returns changes then, and only then — a hand edit with ``sqlite3``, another
process, or a second connection of ours all move it; this connection's own writes do not. This
process's own writes are sealed as they go (the session hook and the services), so a file this
connection found intact stays intact until the number moves; then it is verified again in full, and a
hand edit made under a running program is caught at the next export or write as before.

The number is remembered in the DBAPI connection's own ``info`` (it lives and dies with that
connection), only after a verification that passed and only if no other connection committed while it
ran. On a server other members commit all the time and there is no such number: nothing is remembered,
every check is complete. The explicit checks (``audit verify``, «Verifica completa») never use this.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

_KEY = "valutazione.seals.intact_at"
_REPORT = "valutazione.seals.intact_report"


def _connection_info(session: Session) -> dict[Any, Any]:
    return session.connection().connection.info


def data_version(session: Session) -> int | None:
    """SQLite's counter of other connections' commits, as this connection sees it; None on a server."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    value = connection.exec_driver_sql("PRAGMA data_version").scalar()
    return int(value) if value is not None else None


def seen(session: Session) -> bool | None:
    """None when this connection has remembered nothing; else whether the file is unchanged since."""
    remembered = _connection_info(session).get(_KEY)
    if remembered is None:
        return None
    return bool(data_version(session) == remembered)


def remember(session: Session, before: int | None, report: Any = None) -> None:
    """Records an intact verification that started at ``before``, unless another commit came meanwhile;
    ``report`` (its ``SealReport``) is kept with it for ``remembered``."""
    if before is not None and data_version(session) == before:
        info = _connection_info(session)
        info[_KEY] = before
        info[_REPORT] = report


def remembered(session: Session) -> Any:
    """The intact report this connection remembered, while the file is unchanged since; else None.

    The write guard takes it: a merge's ``require_intact`` and its first flush no longer verify the
    file twice, the second time with the merge's own thousands of rows already in it.
    """
    return _connection_info(session).get(_REPORT) if seen(session) else None
