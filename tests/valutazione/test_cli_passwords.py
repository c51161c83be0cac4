"""The command line asks the password the GUI asks: a decision recorded under a person's name (the chair's,
the secretary's, a member's own declaration) needs that person's password when one is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import State, committee_file
from valutazione.cli import main
from valutazione.db import opened
from valutazione.models import AuditRow, Conflitto
from valutazione.services import identity, lookup

CHAIR, MEMBER, SECRETARY = "Anna Rossi", "Bruno Bianchi", "Dario Neri"
PASSWORDS = {CHAIR: "Presidenza-2026", MEMBER: "Componente-2026", SECRETARY: "Segreteria-2026"}


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def protected_file(tmp_path: Path) -> tuple[Path, dict[str, Path], Path]:
    """A file whose chair, secretary and one member set a password; each one's file and a wrong one."""
    f = Path(committee_file(tmp_path / "c.valutazione", State.IMPORTED).path)
    files = {}
    with opened(f) as db, db.sessions.begin() as s:
        for name, password in PASSWORDS.items():
            identity.set_password(s, lookup.member_by_name(s, name).id, password)
            files[name] = tmp_path / f"{name.split()[0].lower()}.txt"
            files[name].write_text(password + "\n", encoding="utf-8")
    wrong = tmp_path / "errata.txt"
    wrong.write_text("sbagliata-123\n", encoding="utf-8")
    return f, files, wrong


def logged(f: Path) -> int:
    with opened(f, read_only=True) as db, db.sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


def test_every_recorded_decision_asks_its_persons_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: no decision is recorded under the chair's, the secretary's or a member's name from the command
    line with a wrong password (admissibility, lots, conflicts, declarations, sessions, members, scores,
    draws, renunciations, approvals): each is refused in Italian and writes nothing."""
    f, _files, wrong = protected_file(tmp_path)
    p1 = "PG 101/2018"
    commands = [
        (MEMBER, ("declare", f, "--commissario", MEMBER)),
        (MEMBER, ("conflict", f, "--commissario", MEMBER, "--protocollo", p1, "--motivo", "Cugino del legale")),
        (MEMBER, ("scores", "submit", f, "--commissario", MEMBER)),
        (CHAIR, ("admissibility", f, "--escludi", p1, "--motivo", "Forma giuridica non ammessa")),
        (CHAIR, ("admissibility", f, "--tutte-ammissibili", "--motivo", "Requisiti verificati")),
        (CHAIR, ("members", "add", f, "Elena Gialli", "--ruolo", "componente")),
        (CHAIR, ("rank", f, "--approva", "provvisoria")),
        (CHAIR, ("draw", f, "--ordine", f"{p1},PG 102/2018")),
        (CHAIR, ("renounce", f, p1)),
        (CHAIR, ("lotto", f, p1, "L1", "--motivo", "Linea indicata nel modulo")),
        (SECRETARY, ("seduta", "add", f, "--data", "16/04/2018", "--luogo", "Sala A", "--presenti", CHAIR)),
    ]
    before = logged(f)
    for who, command in commands:
        code, _, err = run(capsys, *command, "--file-password", wrong)
        assert code == 2 and f"Password errata per {who}" in err, (command, err)
    assert logged(f) == before


def test_the_right_password_records_the_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: with the person's own password the same commands record the decision under that person's name."""
    f, files, _wrong = protected_file(tmp_path)
    p1 = "PG 101/2018"
    assert run(capsys, "declare", f, "--commissario", MEMBER, "--file-password", files[MEMBER])[0] == 0
    conflict = ("conflict", f, "--commissario", MEMBER, "--protocollo", p1, "--motivo", "Cugino del legale")
    assert run(capsys, *conflict, "--file-password", files[MEMBER])[0] == 0
    exclude = ("admissibility", f, "--escludi", "PG 102/2018", "--motivo", "Forma giuridica non ammessa")
    assert run(capsys, *exclude, "--file-password", files[CHAIR])[0] == 0
    session = ("seduta", "add", f, "--data", "16/04/2018", "--luogo", "Sala A", "--presenti", CHAIR)
    assert run(capsys, *session, "--file-password", files[SECRETARY])[0] == 0
    assert run(capsys, "seduta", "note", f, 1, "Nota di prova", "--file-password", files[SECRETARY])[0] == 0
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert s.scalars(select(Conflitto)).one().has_conflict
        actors = {row.action: row.actor for row in s.scalars(select(AuditRow))}
    assert actors["ammissibilita.decisa"] == CHAIR and actors["conflitto.dichiarato"] == MEMBER
    assert actors["seduta.registrata"] == SECRETARY and actors["seduta.nota"] == SECRETARY


def test_funded_project_decisions_ask_the_chairs_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: the project commands that record under the chair's name (agreement, re-determination, revocation,
    payment, support plan and meeting, indicator target and value) and the chair's confirmation to publish
    possible natural persons refuse a wrong password, writing nothing."""
    f, _files, wrong = protected_file(tmp_path)
    p1 = "PG 101/2018"
    commands = [
        ("convenzione", "add", f, p1, "--data", "01/06/2018"),
        ("convenzione", "ridetermina", f, p1, "--importo", "1.000,00", "--motivo", "Spese non ammesse"),
        ("convenzione", "revoca", f, p1, "--data", "01/06/2018", "--motivo", "Attività non avviate"),
        ("erogazione", "add", f, p1, "--tipo", "anticipo", "--data", "01/07/2018", "--importo", "1.000,00"),
        ("affiancamento", "piano", f, p1, "--fase", "Avvio", "--ore", "10"),
        (
            "affiancamento",
            "sessione",
            f,
            p1,
            "--fase",
            "Avvio",
            "--data",
            "01/07/2018",
            "--ore",
            "2",
            "--argomento",
            "x",
        ),
        ("indicatori", "obiettivo", f, p1, "--indicatore", "I1", "--partenza", "0", "--obiettivo", "10"),
        ("indicatori", "valore", f, p1, "--indicatore", "I1", "--data", "01/07/2018", "--valore", "3"),
        ("export", f, "--cosa", "graduatoria-pubblica", "-o", tmp_path / "g.pdf", "--pubblica-persone-fisiche"),
    ]
    before = logged(f)
    for command in commands:
        code, _, err = run(capsys, *command, "--file-password", wrong)
        assert code == 2 and f"Password errata per {CHAIR}" in err, (command, err)
    assert logged(f) == before
