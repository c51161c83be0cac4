"""Where bundled resources and per-user data live (source tree, installed package or frozen bundle)."""

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_data_dir() -> Path:
    """The platform's per-user data directory (settings, member keys, backups)."""
    override = os.environ.get("VALUTAZIONE_DATA_DIR")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "valutazione"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "valutazione"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "valutazione"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from valutazione.errors import file_access_error

        raise file_access_error(exc, base, "usare la cartella dei dati dell'utente") from exc
    return base
