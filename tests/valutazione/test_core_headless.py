"""The layers stay apart: the core never imports Qt or the GUI; the GUI never reaches the database itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "valutazione"
GUI = ROOT / "ui"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")
GUI_FORBIDDEN = ("sqlalchemy", "valutazione.models", "valutazione.projects.tables", "valutazione.pairwise_tables")


def imported_names(path: Path) -> list[str]:
    """Every module a file imports, with ``from a import b`` also giving ``a.b`` (b may be a module)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _matches(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


def test_core_imports_no_qt() -> None:
    """valutazione/ must run headless: no module imports PySide6 or ui/ (parsed, not grepped)."""
    offenders = [
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in imported_names(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert not offenders, offenders


def test_gui_imports_no_orm() -> None:
    """ui/ asks services for frozen records: no module imports SQLAlchemy or a module of ORM tables."""
    offenders = [
        f"{path.relative_to(GUI)}: {name}"
        for path in GUI.rglob("*.py")
        for name in imported_names(path)
        if _matches(name, GUI_FORBIDDEN)
    ]
    assert not offenders, offenders


def test_gui_check_sees_an_orm_import(tmp_path: Path) -> None:
    """The GUI check recognises each way of importing the ORM (so its silence on ui/ means something)."""
    for source in (
        "import sqlalchemy\n",
        "from sqlalchemy.orm import Session\n",
        "from valutazione.models import Domanda\n",
        "from valutazione import models\n",
        "from valutazione.projects.tables import ACTIVE\n",
        "def f():\n    import valutazione.models as m\n",
    ):
        probe = tmp_path / "probe.py"
        probe.write_text(source, encoding="utf-8")
        assert any(_matches(n, GUI_FORBIDDEN) for n in imported_names(probe)), source
