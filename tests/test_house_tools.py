"""The house tools run as part of the suite, so CI enforces them: format, lint (with complexity and unused
``noqa``), and strict typing on the core and the GUI alike (pyproject.toml holds their settings)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} non installato (bash scripts/setup.sh installa gli strumenti di sviluppo)")
    return str(found)


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "format", "--check", "."],
        ["ruff", "check", "."],
        ["mypy"],
    ],
    ids=["ruff-format", "ruff-check", "mypy"],
)
def test_house_tool_is_clean(command: list[str]) -> None:
    """Every file is formatted, lint-clean (complexity and unused noqa included) and type-checked."""
    done = subprocess.run([tool(command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
