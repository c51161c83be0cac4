"""No committed file names a path of one machine: the repository runs wherever it is checked out."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Built from pieces so that this file does not match itself.
MACHINE_PATH = re.compile("/" + "(?:work|root)" + r"/[\w.-]")


def tracked_text_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("non è un checkout git: l'elenco dei file versionati non è disponibile")
    files = [ROOT / name for name in out.split("\0") if name]
    return [f for f in files if f.suffix in {".py", ".md", ".toml", ".txt", ".sh", ".spec", ".cfg", ".ini", ""}]


def test_no_absolute_machine_paths_in_committed_files() -> None:
    """Sample data and commands are named relative to the repository, never as a folder of one machine."""
    offenders = []
    for path in tracked_text_files():
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if MACHINE_PATH.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
