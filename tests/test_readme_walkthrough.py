"""The README's command-line walkthrough, run exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def walkthrough() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- walkthrough -->\s*```bash\n(.*?)```\s*<!-- /walkthrough -->", text, re.S)
    assert match, "README.md has lost its walkthrough block"
    return match.group(1)


def test_readme_walkthrough_runs(tmp_path: Path) -> None:
    """Every command of the README walkthrough succeeds and ends with an intact audit log and a final ranking."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "valutazione"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m valutazione "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    (tmp_path / "resources").symlink_to(ROOT / "resources")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "VALUTAZIONE_DATA_DIR": str(tmp_path / "dati"),
    }
    script = "set -euo pipefail\n" + walkthrough()
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        pytest.fail(f"walkthrough failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    assert '"state": "definitiva"' in done.stdout
    assert "Registro integro" in done.stdout
    for name in ("graduatoria.pdf", "graduatoria-pubblica.xlsx", "verbale-1.pdf"):
        assert (tmp_path / name).stat().st_size > 1000
