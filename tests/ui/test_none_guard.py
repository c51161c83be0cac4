"""The PySide6 ``None`` guard (ui/app.py): applied where the binding would abort the interpreter, nowhere else.

When can it go? When no interpreter the project supports needs it: ``requires-python`` at 3.12 or later
(``None`` is immortal there, PEP 683), or a PySide6 floor whose binding no longer drops references to
``None`` (``binding_drops_none()`` false on the oldest allowed PySide6 with CPython 3.11). The last test
below fails on the first of these, naming what to delete.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Enough empty QVariants to bring an unguarded None (a few thousand references at start) below zero.
STRAY_DECREMENTS = 200_000
CHILD = f"""
import sys
from PySide6.QtCore import QModelIndex
from ui.app import guard_none_refcount, none_guard_needed
needed = none_guard_needed()
acted = guard_none_refcount() if sys.argv[1] == "guard" else False
print(needed, acted, flush=True)
for _ in range({STRAY_DECREMENTS}):
    QModelIndex().data()
print("vivo", flush=True)
"""


def no_core_dump() -> None:
    """The unguarded child is expected to abort: it must not leave a core file behind."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_child(mode: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=no_core_dump if os.name == "posix" else None,
    )


def test_guard_acts_exactly_where_the_interpreter_would_abort(tmp_path: Path) -> None:
    """Where needed the unguarded process dies of «deallocating None» and the guarded one lives; elsewhere both live."""
    bare, guarded = run_child("bare", tmp_path), run_child("guard", tmp_path)
    needed = bare.stdout.split()[0] == "True"
    assert guarded.returncode == 0 and guarded.stdout.split()[:3] == [str(needed), str(needed), "vivo"]
    if needed:
        assert bare.returncode != 0 and "deallocating None" in bare.stderr
    else:
        assert bare.returncode == 0, bare.stderr


def test_guard_is_never_needed_from_python_312() -> None:
    """On CPython 3.12+ (immortal None) the guard never touches the interpreter's object header."""
    from ui.app import none_guard_needed

    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        assert none_guard_needed() is False
    else:
        from ui.app import binding_drops_none

        assert none_guard_needed() is binding_drops_none()


def test_guard_stays_only_while_python_311_is_supported() -> None:
    """The guard can go once requires-python starts at 3.12: this test then fails, naming what to delete."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    match = re.search(r">=\s*3\.(\d+)", spec)
    assert match is not None, spec
    assert int(match.group(1)) < 12, (
        "requires-python esclude ormai CPython 3.11: eliminare guard_none_refcount, none_guard_needed e "
        "binding_drops_none da ui/app.py, la chiamata in tests/ui/conftest.py, il commento in "
        "ui/chair/ranking.py e questo file"
    )
