"""The package commands, as the chair and a member type them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.builders import chair_fingerprint, confirmed_key, open_confirmed
from tests.valutazione.sync.helpers import build_chair, score, work_offline
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import open_database
from valutazione.sync.package import extracted_path
from valutazione.sync.sealed import is_sealed


@pytest.mark.both_engines
def test_package_commands_round_trip(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str], target: Callable[[str], Path | str]
) -> None:
    """export → open → (scoring) → key → return → merge, then a second merge says nothing changed; the same
    offline round trip when the chair's committee lives on a server."""
    chair_path = target("bando")
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "laptop" / "bruno.valpkg"
    ret = tmp_path / "bruno.valret"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    said = capsys.readouterr().out
    assert "Pacchetto n. 1 per Bruno Verdi" in said
    chair = said.split("impronta ")[1].split(":")[0]  # read to the member over the phone
    assert main(["package", "open", str(pkg)]) == 2  # the first package: not before the fingerprint is confirmed
    assert f"l'impronta della sua chiave, «{chair}»" in capsys.readouterr().err
    assert not extracted_path(pkg).exists()
    assert main(["package", "open", str(pkg), "--trust-key", chair.lower().replace(" ", "")]) == 0
    assert "bruno.valutazione-commissario" in capsys.readouterr().out
    work_offline(pkg, "Bruno Verdi")
    assert main(["package", "key"]) == 0
    fingerprint = capsys.readouterr().out.split(": ")[1].splitlines()[0]
    assert main(["package", "return", str(pkg), "-o", str(ret)]) == 0
    assert fingerprint in capsys.readouterr().out
    assert main(["package", "merge", str(chair_path), str(ret)]) == 2
    assert fingerprint in capsys.readouterr().err
    other = " ".join(reversed(fingerprint.split()))  # a fingerprint read out wrong, or another key's
    assert main(["package", "merge", str(chair_path), str(ret), "--trust-key", other]) == 2
    said = capsys.readouterr().err
    assert f"impronta «{fingerprint}»" in said and f"«{other}»" in said and "nessuna chiave registrata" in said
    typed = fingerprint.upper().replace(" ", "")  # as typed from the phone: case and spaces do not count
    assert main(["package", "merge", str(chair_path), str(ret), "--trust-key", typed]) == 0
    assert "scheda di Bruno Verdi inviata" in capsys.readouterr().out
    assert main(["package", "merge", str(chair_path), str(ret)]) == 0
    assert "già importato" in capsys.readouterr().out


def test_scores_commands_work_on_a_package_for_its_member_only(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the extracted package, scores import/submit accept the member's rows and refuse anyone else's."""
    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "bruno.valpkg"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    work_file = open_confirmed(pkg).path
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


def test_sealed_package_commands_with_a_password_file(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--password-file seals on export/return and opens on open/merge; a wrong one is refused, nothing written."""
    monkeypatch.setattr("getpass.getpass", _no_prompt)
    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    secret, wrong = tmp_path / "password.txt", tmp_path / "sbagliata.txt"
    secret.write_text("cavallo batteria graffetta\n", encoding="utf-8")
    wrong.write_text("cavallo batteria\r\n", encoding="utf-8")
    pkg, ret = tmp_path / "bruno.valpkg", tmp_path / "bruno.valret"
    export = ["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]
    assert main([*export, "--password-file", str(secret)]) == 0
    assert is_sealed(pkg) and "altro canale" in capsys.readouterr().out
    assert main(["package", "open", str(pkg), "--password-file", str(wrong)]) == 2
    assert "Password errata o file danneggiato" in capsys.readouterr().err
    chair = ["--trust-key", str(chair_fingerprint(pkg, "cavallo batteria graffetta"))]
    assert main(["package", "open", str(pkg), "--password-file", str(secret), *chair]) == 0
    work_offline_sealed(pkg)  # the working file the command extracted
    assert main(["package", "return", str(pkg), "-o", str(ret), "--password-file", str(secret)]) == 0
    assert is_sealed(ret)
    key = confirmed_key(ret, secret.read_text(encoding="utf-8").strip())
    merge = ["package", "merge", str(chair_path), str(ret), "--trust-key", str(key)]
    assert main([*merge, "--password-file", str(wrong)]) == 2
    assert "Password errata" in capsys.readouterr().err
    assert main([*merge, "--password-file", str(secret)]) == 0
    assert "scheda di Bruno Verdi inviata" in capsys.readouterr().out


def test_cifra_asks_the_passphrase_twice_without_echo(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--cifra prompts twice (getpass) and refuses a mismatch; opening a sealed package prompts for it."""
    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "bruno.valpkg"
    export = ["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg), "--cifra"]
    answers = iter(["frase segreta lunga", "frase segreta lunga?"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    assert main(export) == 2
    assert "non coincidono" in capsys.readouterr().err and not pkg.exists()
    answers = iter(["frase segreta lunga"] * 2)
    assert main(export) == 0 and is_sealed(pkg)
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or "frase segreta lunga")
    assert main(["package", "open", str(pkg), "--trust-key", str(chair_fingerprint(pkg, "frase segreta lunga"))]) == 0
    assert prompts == ["Password di «bruno.valpkg»: "]


def _no_prompt(prompt: str = "") -> str:
    raise AssertionError(f"unexpected prompt {prompt!r}: the password file was given")


def work_offline_sealed(pkg: Path) -> None:
    """The member scores inside the working file already extracted from the sealed package."""
    opened = open_confirmed(pkg, passphrase="cavallo batteria graffetta")
    assert not opened.created
    db = open_database(opened.path)
    try:
        score(db, "Bruno Verdi")
    finally:
        db.close()


def test_chair_fingerprint_is_shown_at_export_and_first_open(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]
) -> None:
    """The chair's export prints its key's fingerprint; the member confirms it at the first open, which pins it."""
    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    first, second = tmp_path / "b1.valpkg", tmp_path / "b2.valpkg"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(first)]) == 0
    out = capsys.readouterr().out
    shown = out.split("impronta ")[1].split(":")[0]
    assert len(shown) == 19
    assert main(["package", "open", str(first), "--trust-key", shown]) == 0
    out = capsys.readouterr().out
    assert "registrata la sua chiave" in out and shown in out
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(second)]) == 0
    assert main(["package", "open", str(second)]) == 0
    assert f"Firma del presidente verificata (impronta {shown})" in capsys.readouterr().out


def test_draft_in_conflict_never_blocks_the_members_submission_nor_return(
    tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the laptop: drafts everywhere, then a conflict on one application; the others are sent and merge."""
    from tests.valutazione.sync.helpers import key_for, merge, sheet_states
    from valutazione.services import conflicts, lookup
    from valutazione.sync.returns import make_return

    chair_path = tmp_path / "bando.valutazione"
    build_chair(chair_path, milano).close()
    pkg = tmp_path / "bruno.valpkg"
    assert main(["package", "export", str(chair_path), "--member", "Bruno Verdi", "-o", str(pkg)]) == 0
    work_file = open_confirmed(pkg).path
    member_db = open_database(work_file)
    try:
        score(member_db, "Bruno Verdi", submit=False)  # complete drafts on P1, P2, P3
        with member_db.sessions.begin() as s:
            me = lookup.member_by_name(s, "Bruno Verdi")
            conflicts.declare(s, me.id, lookup.domanda_by_protocol(s, "P2").id, True, "Socio del proponente")
    finally:
        member_db.close()
    capsys.readouterr()
    assert main(["scores", "submit", str(work_file), "--member", "Bruno Verdi"]) == 0
    out = capsys.readouterr().out
    assert "Inviate 2 schede di Bruno Verdi" in out and "in conflitto di interessi o esclusa: P2" in out
    ret = make_return(pkg, tmp_path / "bruno.valret", key_for(tmp_path, "Bruno Verdi")).path
    chair = open_database(chair_path)
    try:
        report = merge(chair, ret)
        states = sheet_states(chair)
    finally:
        chair.close()
    assert "non importata, il commissario si astiene" in report.text()
    assert {p: states[("Bruno Verdi", p)][0] for p in ("P1", "P3")} == {"P1": "inviata", "P3": "inviata"}
    assert ("Bruno Verdi", "P2") not in states
