"""A committee server's address: ``postgresql://user@host:port/database``, never with a password in it.

A URL typed on a command line stays in the shell's history and in the process list, where anyone on the
machine reads it: the password comes from libpq's own lookup (``PGPASSFILE`` or ``~/.pgpass``), or is
asked by whoever opens the database (the CLI on the terminal, the GUI in a dialog) through
``set_password_prompt``. Everything else in the application takes either a file path or such an address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import URL

from valutazione.errors import DatabaseError

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
DEFAULT_PORT = 5432

PasswordPrompt = Callable[["ServerAddress"], str]
_prompt: list[PasswordPrompt] = []


def is_server_url(target: str | Path) -> bool:
    """True for ``postgresql://…`` (a ``Path`` is always a file: a URL must reach here as text)."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in SCHEMES and "://" in target


@dataclass(frozen=True)
class ServerAddress:
    """Where a committee's database lives on a PostgreSQL server (everything but the password)."""

    host: str
    port: int
    database: str
    user: str

    @classmethod
    def parse(cls, text: str) -> ServerAddress:
        """Reads ``postgresql://user@host[:port]/database``; a password in it is refused, not ignored."""
        parts = urlsplit(text)
        if parts.scheme.lower() not in SCHEMES:
            raise DatabaseError(f"«{text}» non è l'indirizzo di un server PostgreSQL (postgresql://…).")
        if parts.password is not None:
            raise DatabaseError(
                "L'indirizzo del server contiene una password: non è ammesso, perché resterebbe nella "
                "cronologia dei comandi. Indicare l'indirizzo senza password (postgresql://utente@host/database); "
                "la password si legge dal file .pgpass (o PGPASSFILE) oppure viene chiesta."
            )
        if parts.query or parts.fragment:
            raise DatabaseError(f"L'indirizzo «{text}» contiene parametri non previsti dopo il nome del database.")
        database = unquote(parts.path.lstrip("/"))
        if not database or "/" in database:
            raise DatabaseError(f"L'indirizzo «{text}» non indica il database (postgresql://utente@host/database).")
        if not parts.hostname:
            raise DatabaseError(f"L'indirizzo «{text}» non indica il server (postgresql://utente@host/database).")
        if not parts.username:
            raise DatabaseError(f"L'indirizzo «{text}» non indica l'utente (postgresql://utente@host/database).")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise DatabaseError(f"La porta nell'indirizzo «{text}» non è un numero valido.") from exc
        return cls(parts.hostname, port, database, unquote(parts.username))

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def sqlalchemy_url(self) -> URL:
        return URL.create(
            "postgresql+psycopg", username=self.user, host=self.host, port=self.port, database=self.database
        )


def set_password_prompt(prompt: PasswordPrompt | None) -> None:
    """Installs who asks the password when libpq finds none (the CLI's terminal, the GUI's dialog)."""
    _prompt.clear()
    if prompt is not None:
        _prompt.append(prompt)


def ask_password(address: ServerAddress) -> str:
    """The password for ``address`` from the installed prompt; without one, says where to put it."""
    if not _prompt:
        raise DatabaseError(
            f"Il server {address.host} chiede la password dell'utente «{address.user}» e non c'è modo di "
            "chiederla qui: indicarla nel file .pgpass (o nel file indicato da PGPASSFILE)."
        )
    return _prompt[0](address)
