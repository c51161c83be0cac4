"""Errors the user sees. Every message is Italian and names what is wrong and where.

The core raises these; the CLI prints ``str(error)`` and the GUI shows it in a dialog, so the text
must stand on its own without a traceback.
"""


class ValutazioneError(Exception):
    """Base of every error meant for the user."""


class BandoError(ValutazioneError):
    """The call's rules are invalid; ``key`` is the dotted TOML key that is wrong."""

    def __init__(self, key: str, message: str, source: str = "") -> None:
        self.key = key
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}chiave «{key}»: {message}")


class DatabaseError(ValutazioneError):
    """The file cannot be opened or used as a valutazione database."""


class SchemaTooNewError(DatabaseError):
    """The file was written by a newer version of the application; it is left untouched."""


class ImportRefusedError(ValutazioneError):
    """An import refused as a whole; nothing was written."""


class RuleViolation(ValutazioneError):
    """A use case refused because the procedure's rules forbid it (e.g. scoring before declaring)."""


class NotFoundError(ValutazioneError):
    """A member, application or document named by the user does not exist."""
