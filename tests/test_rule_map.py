"""The rule book's table (docs/mappa-regole.md) cannot rot: every module and test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "regole.md"
TABLE = ROOT / "docs" / "mappa-regole.md"


def table_rows() -> dict[str, tuple[list[str], list[str]]]:
    """``{section: (modules, tests)}`` from the Markdown table (backticked entries in the last two columns)."""
    rows: dict[str, tuple[list[str], list[str]]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].isdigit():
            rows[cells[0]] = (re.findall(r"`([^`]+)`", cells[2]), re.findall(r"`([^`]+)`", cells[3]))
    return rows


def test_every_section_of_the_rule_book_has_a_row() -> None:
    """Each § of docs/regole.md appears in the table with at least one module and one test, and no row is orphan."""
    sections = set(re.findall(r"^## § (\d+)\.", RULES.read_text(encoding="utf-8"), flags=re.MULTILINE))
    rows = table_rows()
    assert sections and sections == set(rows)
    assert all(modules and tests for modules, tests in rows.values())


def test_every_module_named_exists() -> None:
    """A module path in the table is a file of the repository (update the cell when a module moves)."""
    missing = [m for modules, _ in table_rows().values() for m in modules if not (ROOT / m).is_file()]
    assert missing == []


def test_every_test_named_exists() -> None:
    """A test named in the table is a test function defined in that file (``path::name``)."""
    missing = []
    for _, tests in table_rows().values():
        for entry in tests:
            path, _, name = entry.partition("::")
            file = ROOT / path
            if not file.is_file() or not path.startswith("tests/"):
                missing.append(entry)
                continue
            if name:
                tree = ast.parse(file.read_text(encoding="utf-8"))
                defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
                if name not in defined:
                    missing.append(entry)
    assert missing == []


def test_no_docstring_points_outside_the_repository() -> None:
    """Code and resources cite the rule book in docs/, never a file that lives outside the repository."""
    offenders = []
    for folder in ("valutazione", "ui", "tests", "resources", "benchmarks", "installer"):
        for file in (ROOT / folder).rglob("*"):
            if file.suffix in {".py", ".toml", ".md"} and "corpus" not in file.parts and file != Path(__file__):
                text = file.read_text(encoding="utf-8", errors="replace")
                if "DOMAIN.md" in text or "shared/data" in text:
                    offenders.append(str(file.relative_to(ROOT)))
    assert offenders == []
