"""Errors the user sees. Every message is Italian and names what is wrong and where.

The core raises these; the CLI prints ``str(error)`` and the GUI shows it in a dialog, so the text
must stand on its own without a traceback.
"""

import errno


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


class FileAccessError(ValutazioneError):
    """A file or folder named by the user cannot be read or written (missing, protected, a folder...)."""


# The operating system's reasons in the words an office worker understands; the English ``strerror``
# (or the Windows text in the user's locale) would mix languages in one sentence.
_OS_REASONS_BY_NAME: dict[str, str] = {
    "ENOENT": "file o cartella inesistente",
    "ENOTDIR": "un elemento del percorso non è una cartella",
    "EISDIR": "è una cartella",
    "EEXIST": "esiste già",
    "EACCES": "permesso negato",
    "EPERM": "operazione non permessa",
    "EROFS": "supporto in sola lettura",
    "ENOSPC": "spazio su disco esaurito",
    "EDQUOT": "spazio disponibile per l'utente esaurito",
    "EIO": "errore di lettura o scrittura sul disco",
    "ENAMETOOLONG": "nome troppo lungo",
    "ELOOP": "troppi collegamenti simbolici",
    "EBUSY": "in uso da un altro programma",
    "ETXTBSY": "in uso da un altro programma",
    "EMFILE": "troppi file aperti",
    "EXDEV": "spostamento tra dischi diversi non possibile",
    "EINVAL": "nome non valido",
    "EFBIG": "file troppo grande",
    "ENOTEMPTY": "cartella non vuota",
}
# Some names are missing on some systems (Windows lacks a few): map only those this one has.
_OS_REASONS: dict[int, str] = {
    getattr(errno, name): text for name, text in _OS_REASONS_BY_NAME.items() if hasattr(errno, name)
}


def os_error_reason(exc: OSError) -> str:
    """The Italian reason for an operating-system error (``errno``), for the CLI and the GUI alike."""
    reason = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    if reason is not None:
        return reason
    code = exc.errno if exc.errno is not None else getattr(exc, "winerror", None)
    return f"errore del sistema operativo (codice {code})" if code is not None else "errore del sistema operativo"


def file_access_error(exc: OSError, path: object, action: str = "scrivere") -> FileAccessError:
    """``Impossibile <action> «path»: <reason>.`` — the message for an OSError met while using ``path``."""
    return FileAccessError(f"Impossibile {action} «{path}»: {os_error_reason(exc)}.")
