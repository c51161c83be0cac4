"""User preferences kept by Qt (QSettings): recent files, window geometry, last identity per file.

Everything goes through ``app_settings()`` so tests can point Qt at a temporary location and an
organisation of their own, never touching the real user's settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "valutazione"
APPLICATION = "valutazione"
MAX_RECENT = 8


def app_settings() -> QSettings:
    return QSettings()


def recent_files() -> list[str]:
    value = app_settings().value("recent_files", [])
    # QSettings gives a str for a one-element list on some platforms, a list otherwise, None when unset.
    files: list[object] = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    return [str(v) for v in files if Path(str(v)).exists()]


def remember_file(path: Path) -> None:
    files = [str(path.resolve())] + [f for f in recent_files() if f != str(path.resolve())]
    app_settings().setValue("recent_files", files[:MAX_RECENT])


def last_member(path: Path | str) -> int | None:
    value = app_settings().value(f"identity/{_key(path)}")
    return int(str(value)) if value not in (None, "") else None


def remember_member(path: Path | str, member_id: int) -> None:
    app_settings().setValue(f"identity/{_key(path)}", member_id)


def _key(path: Path | str) -> str:
    """A settings key for a file path or a server's address (slashes would make nested groups)."""
    text = str(path.resolve()) if isinstance(path, Path) else path
    return text.replace("/", "|").replace("\\", "|")
