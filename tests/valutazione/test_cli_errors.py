"""The command line never shows a traceback: refusals in Italian (exit 2), defects logged (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from valutazione import errorlog
from valutazione.cli import main


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "bando.valutazione"
    assert main(["new", str(path)]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def test_missing_scores_csv_is_a_message(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`scores import` of a file that does not exist: an Italian message naming it, exit 2."""
    code, err = run(capsys, "scores", "import", demo_file, demo_file.parent / "manca.csv")
    assert code == 2 and "manca.csv" in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["folder", "missing-parent-file"])
def test_export_destination_refused_before_writing(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Export to a folder, or under a file posing as a folder: refused before writing, nothing left."""
    if where == "folder":
        dest = tmp_path / "cartella"
        dest.mkdir()
    else:
        (tmp_path / "file").write_text("x")
        dest = tmp_path / "file" / "graduatoria.pdf"
    code, err = run(capsys, "export", demo_file, "--cosa", "graduatoria", "--formato", "csv", "-o", dest)
    assert code == 2 and "Impossibile scrivere" in err and "Traceback" not in err
    assert not any(p.name.startswith((".valutazione-prova-", "graduatoria")) for p in tmp_path.rglob("*") if p != dest)


def test_backup_onto_an_existing_file_is_refused(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A backup never overwrites: the existing destination is named, exit 2."""
    code, err = run(capsys, "backup", demo_file, demo_file)
    assert code == 2 and "esiste già" in err


def test_huge_session_number_is_refused_by_the_parser(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A number beyond what the database stores is refused by argparse, not an OverflowError."""
    with pytest.raises(SystemExit) as stop:
        main(["seduta", "note", str(demo_file), str(10**30), "testo"])
    assert stop.value.code == 2 and "fuori dall'intervallo" in capsys.readouterr().err


def test_english_flags_still_work_but_are_hidden(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Old scripts keep working (`--role`), while --help shows only the Italian flag (`--ruolo`)."""
    assert main(["members", "add", str(demo_file), "Laura Fumagalli", "--role", "presidente"]) == 0
    assert main(["members", "add", str(demo_file), "Nadia Cattaneo", "--ruolo", "componente"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["members", "add", "--help"])
    shown = capsys.readouterr().out
    assert "--ruolo" in shown and "--role" not in shown


def test_unexpected_error_is_logged_not_shown(
    demo_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect becomes «Errore imprevisto» naming the log (exit 3); the traceback is in the log only."""
    from valutazione.cli import basic

    def broken(_args: object) -> int:
        raise ZeroDivisionError("difetto di prova")

    monkeypatch.setattr(basic, "cmd_info", broken)
    code, err = run(capsys, "info", demo_file)
    assert code == 3 and "Errore imprevisto" in err and "Traceback" not in err
    assert "ZeroDivisionError: difetto di prova" in errorlog.log_path().read_text(encoding="utf-8")


def test_restore_onto_a_folder_is_refused(tmp_path: Path, demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`restore` onto a folder used to move the folder aside and put the file there: now refused, folder kept."""
    folder = tmp_path / "cartella"
    folder.mkdir()
    code, err = run(capsys, "restore", folder, "--from", demo_file)
    assert code == 2 and "è una cartella" in err and folder.is_dir()


def test_import_of_a_missing_file_speaks_italian(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The operating system's reason is translated: no «No such file or directory» inside an Italian message."""
    code, err = run(capsys, "import", demo_file, demo_file.parent / "manca.csv")
    assert code == 2 and "manca.csv" in err and "No such file" not in err
