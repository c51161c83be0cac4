"""The README's command-line walkthrough, run exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from valutazione.db import open_database
from valutazione.money import format_euro
from valutazione.ranking.status import RankingStatus
from valutazione.services import ranking

ROOT = Path(__file__).resolve().parent.parent


def walkthrough(name: str = "walkthrough") -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name} -->\s*```bash\n(.*?)```\s*<!-- /{name} -->", text, re.S)
    assert match, f"README.md has lost its {name} block"
    return match.group(1)


def run_blocks(tmp_path: Path, *names: str, where: str | None = None) -> subprocess.CompletedProcess[str]:
    """Runs README blocks one after the other in one shell, as a user pasting them would.

    ``where`` replaces the walkthrough's file (``F=bando.valutazione``), e.g. by a server's URL.
    """
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
    script = "set -euo pipefail\n" + "".join(walkthrough(name) for name in names)
    if where is not None:
        assert "F=bando.valutazione\n" in script, "the walkthrough no longer names its file F=bando.valutazione"
        script = script.replace("F=bando.valutazione\n", f"F='{where}'\n", 1)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        pytest.fail(f"walkthrough failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The walkthrough run once on a file: its folder and its output (shared with the server's comparison)."""
    folder = tmp_path_factory.mktemp("walkthrough")
    return folder, run_blocks(folder, "walkthrough")


def test_readme_walkthrough_runs(walked: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Every command of the README walkthrough succeeds and ends with an intact audit log and a final ranking."""
    folder, done = walked
    assert '"state": "definitiva"' in done.stdout
    assert "Registro integro" in done.stdout
    for name in ("graduatoria.pdf", "graduatoria-pubblica.xlsx", "verbale-1.pdf"):
        assert (folder / name).stat().st_size > 1000
    assert printed_figures() == definitive_figures(folder / "bando.valutazione")


FIGURES = re.compile(
    r"Con il budget di (€ [\d.]+,\d\d) le (\d+) domande sopra soglia sono tutte finanziate \((€ [\d.]+,\d\d)\)"
    r".*?le altre\s+(\d+) ammesse al merito restano sotto la soglia",
    re.S,
)


def printed_figures() -> tuple[str, int, str, int]:
    """Budget, funded applications, total granted and those below a threshold, as the README prints them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = FIGURES.search(text.split("<!-- /walkthrough -->", 1)[1])
    assert match, "README.md no longer states the sample's figures after the walkthrough"
    budget, funded, granted, below = match.groups()
    return budget, int(funded), granted, int(below)


def definitive_figures(path: Path) -> tuple[str, int, str, int]:
    """The same figures from the definitive version the walkthrough approved, read back from the file."""
    db = open_database(path, read_only=True)
    try:
        with db.sessions() as s:
            final = [v for v in ranking.versions(s) if v.state == ranking.FINAL]
            assert len(final) == 1
            stored = ranking.stored(final[0])
    finally:
        db.close()
    funded = [r for r in stored.rows if r.status.funded]
    below = [r for r in stored.rows if r.status is RankingStatus.NOT_ADMITTED]
    assert stored.allocated_cents == sum(r.grant_cents for r in funded)
    return format_euro(stored.budget_cents), len(funded), format_euro(stored.allocated_cents), len(below)


def test_readme_funded_projects_walkthrough(tmp_path: Path) -> None:
    """The README's funded-projects block runs after the walkthrough, refuses the over-payment, and its figures hold."""
    done = run_blocks(tmp_path, "walkthrough", "walkthrough-progetti")
    assert "erogazione rifiutata" in done.stdout
    assert "supererebbe il giuridicamente vincolante" in done.stderr
    assert "liberati € 17.656,00" in done.stdout and "Entrano fra i finanziati: nessuna domanda" in done.stdout
    figures = dict(
        re.findall(
            r"^(Programmato|Ammesso a finanziamento|Giuridicamente vincolante|Erogato):\s+(.+)$", done.stdout, re.M
        )
    )
    assert figures == {
        "Programmato": "€ 1.128.100,00",
        "Ammesso a finanziamento": "€ 425.090,00",
        "Giuridicamente vincolante": "€ 403.393,00",
        "Erogato": "€ 110.000,00",
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for figure in ("425.090,00", "403.393,00", "110.000,00", "17.656,00"):
        assert figure in readme


def version_fingerprints(target: Path | str) -> list[tuple[int, str, str]]:
    """(version, state, fingerprint) of every approved ranking version, read back from a file or server."""
    db = open_database(target, read_only=True)
    try:
        with db.sessions() as s:
            return [(v.version, v.state, v.fingerprint) for v in ranking.versions(s)]
    finally:
        db.close()


def test_readme_walkthrough_on_a_server(
    walked: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, pg_url: str
) -> None:
    """The README procedure run on a PostgreSQL server approves the same versions, fingerprint for fingerprint."""
    done = run_blocks(tmp_path, "walkthrough", where=pg_url)
    assert "Registro integro" in done.stdout
    assert not (tmp_path / "bando.valutazione").exists()
    expected = version_fingerprints(walked[0] / "bando.valutazione")
    assert "definitiva" in {state for _, state, _ in expected}
    assert version_fingerprints(pg_url) == expected
