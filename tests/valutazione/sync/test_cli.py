"""The package commands, as the chair and a member type them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.valutazione.sync.helpers import build_chair, work_offline
from valutazione.bando import Bando
from valutazione.cli import main


def test_package_commands_round_trip(tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]) -> None:
    """export → open → (scoring) → key → return → merge, then a second merge says nothing changed."""
    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "laptop" / "bruno.valpkg"
    ret = tmp_path / "bruno.valret"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    assert "Pacchetto n. 1 per Bruno Verdi" in capsys.readouterr().out
    assert main(["package", "open", str(pkg)]) == 0
    assert "bruno.valutazione-commissario" in capsys.readouterr().out
    work_offline(pkg, "Bruno Verdi")
    assert main(["package", "key"]) == 0
    fingerprint = capsys.readouterr().out.split(": ")[1].splitlines()[0]
    assert main(["package", "return", str(pkg), "-o", str(ret)]) == 0
    assert fingerprint in capsys.readouterr().out
    assert main(["package", "merge", str(chair_path), str(ret)]) == 2
    assert fingerprint in capsys.readouterr().err
    assert main(["package", "merge", str(chair_path), str(ret), "--trust-new-key"]) == 0
    assert "scheda di Bruno Verdi inviata" in capsys.readouterr().out
    assert main(["package", "merge", str(chair_path), str(ret)]) == 0
    assert "già importato" in capsys.readouterr().out


def test_scores_commands_work_on_a_package_for_its_member_only(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the extracted package, scores import/submit accept the member's rows and refuse anyone else's."""
    from valutazione.sync.package import open_package

    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "bruno.valpkg"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    work_file = open_package(pkg).path
    header = "Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione\n"
    codes = [sub.code for sub in milano.subcriteria]
    own = "".join(f"Bruno Verdi;P1;{c};0,8;Giudizio di Bruno\n" for c in codes)
    other = tmp_path / "altri.csv"
    other.write_text(header + own + "Anna Rossi;P1;A.1;0,7;Giudizio di Anna\n", encoding="utf-8")
    assert main(["scores", "import", str(work_file), str(other)]) == 2
    assert "Anna Rossi" in capsys.readouterr().err
    mine = tmp_path / "bruno.csv"
    mine.write_text(header + own, encoding="utf-8")
    assert main(["scores", "import", str(work_file), str(mine)]) == 0
    assert main(["scores", "submit", str(work_file), "--member", "Bruno Verdi"]) == 0
    assert "Inviate 1 schede di Bruno Verdi" in capsys.readouterr().out
