"""The offline commands never show a traceback either: no terminal, broken key files, unusable folders (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.builders import chair_fingerprint
from tests.valutazione.sync.helpers import build_chair
from valutazione import errorlog
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.paths import user_data_dir

MEMBER = "Bruno Verdi"
SECRET = "cavallo batteria graffetta"


@pytest.fixture
def chair_file(tmp_path: Path, milano: Bando) -> Path:
    path = tmp_path / "bando.valutazione"
    build_chair(path, milano).close()
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def detached(*args: object) -> subprocess.CompletedProcess[str]:
    """The real CLI in a new session (no controlling terminal) with nothing on standard input: a script, a cron job."""
    return subprocess.run(
        [sys.executable, "-m", "valutazione", *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )


def assert_italian_refusal(done: subprocess.CompletedProcess[str], said: str) -> None:
    assert done.returncode == 2, done.stderr
    assert said in done.stderr
    for english in ("Traceback", "GetPassWarning", "Warning:", "may be echoed"):
        assert english not in done.stderr


def test_password_prompt_without_a_terminal_export(chair_file: Path, tmp_path: Path) -> None:
    """`package export --cifra` with no terminal to ask on: exit 2, the remedy (--password-file), nothing written."""
    out = tmp_path / "bruno.valpkg"
    done = detached("package", "export", chair_file, "--commissario", MEMBER, "-o", out, "--cifra")
    assert_italian_refusal(done, "nessun terminale da cui chiederlo: usare --password-file")
    assert not out.exists()


def test_password_prompt_without_a_terminal_open_and_merge(chair_file: Path, tmp_path: Path) -> None:
    """Opening a sealed package or merging a sealed return with no terminal: exit 2, Italian, no prompt read."""
    secret = tmp_path / "password.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    pkg = tmp_path / "bruno.valpkg"
    assert (
        main(["package", "export", str(chair_file), "--member", MEMBER, "-o", str(pkg), "--password-file", str(secret)])
        == 0
    )
    assert_italian_refusal(detached("package", "open", pkg), "nessun terminale")
    assert_italian_refusal(detached("package", "merge", chair_file, pkg), "nessun terminale")


def test_unusable_data_folder_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's data folder is a file: `package key` says so in Italian; the error log moves to the temp folder."""
    blocker = tmp_path / "non-una-cartella"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("VALUTAZIONE_DATA_DIR", str(blocker))
    code, err = run(capsys, "package", "key")
    assert code == 2 and "cartella dei dati dell'utente" in err and "Traceback" not in err
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        raise ZeroDivisionError("difetto di prova")
    except ZeroDivisionError as exc:
        log = errorlog.record(type(exc), exc, exc.__traceback__, where="prova")
    assert log.parent == tmp_path and "ZeroDivisionError: difetto di prova" in log.read_text(encoding="utf-8")


def test_damaged_member_key_is_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    """A damaged key file on the laptop: exit 2, an Italian message, no library text."""
    keys = user_data_dir() / "keys"
    keys.mkdir(parents=True)
    (keys / "commissario-ed25519.pem").write_text("non una chiave", encoding="ascii")
    code, err = run(capsys, "package", "key")
    assert code == 2 and "danneggiato o non è una chiave" in err and "cryptography" not in err


def test_damaged_chair_pin_is_a_message(chair_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The laptop's record of the chair's key damaged: the package is refused naming the file, exit 2."""
    pkg = tmp_path / "bruno.valpkg"
    assert main(["package", "export", str(chair_file), "--member", MEMBER, "-o", str(pkg)]) == 0
    assert main(["package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg))]) == 0
    (pin,) = (user_data_dir() / "keys" / "presidenti").iterdir()
    pin.write_bytes(b"\xff\xfe rovinato")
    second = tmp_path / "bruno-2.valpkg"
    assert main(["package", "export", str(chair_file), "--member", MEMBER, "-o", str(second)]) == 0
    capsys.readouterr()
    code, err = run(capsys, "package", "open", second)
    assert code == 2 and "è danneggiata" in err and pin.name in err


def test_package_folder_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`package open` of a folder says it is a folder (it used to say the file does not exist)."""
    code, err = run(capsys, "package", "open", tmp_path)
    assert code == 2 and "è una cartella, non un pacchetto di valutazione" in err


def test_new_file_under_a_file_posing_as_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`new` under a path whose folder is a file: exit 2, Italian (it was an unexpected FileExistsError)."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, err = run(capsys, "new", tmp_path / "file" / "bando.valutazione")
    assert code == 2 and "non è una cartella" in err and "Errore imprevisto" not in err
