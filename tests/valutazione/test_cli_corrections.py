"""The GUI's corrections on the command line too: member rename/removal before the first score, session
correction, abstention withdrawal; each with its reason, the officer's password, and Italian refusals (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.builders import State, committee_file
from valutazione.cli import main
from valutazione.db import opened
from valutazione.models import AuditRow, Seduta
from valutazione.seals import verify_seals
from valutazione.services import abstentions, committee, identity, lookup

CHAIR, SECRETARY = "Anna Rossi", "Dario Neri"
PASSWORD = "Presidenza-2026"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def with_password(path: Path, name: str, folder: Path) -> tuple[Path, Path]:
    """Sets ``name``'s password in the file; returns a file holding it and one holding a wrong one."""
    with opened(path) as db, db.sessions.begin() as s:
        identity.set_password(s, lookup.member_by_name(s, name).id, PASSWORD)
    good, bad = folder / "giusta.txt", folder / "errata.txt"
    good.write_text(PASSWORD + "\n", encoding="utf-8")
    bad.write_text("sbagliata-123\n", encoding="utf-8")
    return good, bad


def intact(path: Path) -> None:
    with opened(path, read_only=True) as db, db.sessions() as s:
        assert verify_seals(s) == []


def test_member_renamed_and_removed_before_any_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a member is renamed or removed only before their first score, with a reason and the chair's password."""
    f = committee_file(tmp_path / "c.valutazione", State.IMPORTED).path
    good, bad = with_password(Path(f), CHAIR, tmp_path)
    rename = ("members", "rinomina", f, "Bruno Bianchi", "--nuovo-nome", "Bruno Bianco")
    code, _, err = run(capsys, *rename, "--motivo", "Cognome trascritto male", "--file-password", bad)
    assert code == 2 and f"Password errata per {CHAIR}" in err
    code, _, err = run(capsys, *rename, "--motivo", "  ", "--file-password", good)
    assert code == 2 and "Indicare il motivo per cui Bruno Bianchi viene rinominato" in err
    code, _, err = run(capsys, "members", "rinomina", f, "Bruno Bianchi", "--nuovo-nome", "Carla Verdi",
                       "--motivo", "x", "--file-password", good)  # fmt: skip
    assert code == 2 and "«Carla Verdi» fa già parte della commissione" in err
    code, out, _ = run(capsys, *rename, "--motivo", "Cognome trascritto male", "--file-password", good)
    assert code == 0 and "Bruno Bianchi ora si chiama Bruno Bianco" in out
    code, _, err = run(capsys, "members", "rimuovi", f, CHAIR, "--motivo", "x", "--file-password", good)
    assert code == 2 and "è il presidente: non si rimuove" in err
    code, out, _ = run(capsys, "members", "rimuovi", f, "Carla Verdi", "--motivo", "Nominata per errore",
                       "--file-password", good)  # fmt: skip
    assert code == 0 and "Carla Verdi non fa più parte della commissione" in out
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert [m.name for m in committee.list_members(s)] == [CHAIR, "Bruno Bianco", SECRETARY]
        actions = list(
            s.scalars(select(AuditRow.action).where(AuditRow.action.like("commissario.%")).order_by(AuditRow.id))
        )
        assert actions[-2:] == ["commissario.rinominato", "commissario.rimosso"]
    intact(Path(f))


def test_member_with_a_score_is_neither_renamed_nor_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: after the first saved mark the member stays as recorded (their name is in the sheets)."""
    f = committee_file(tmp_path / "c.valutazione", State.DRAFTS).path
    code, _, err = run(capsys, "members", "rinomina", f, "Bruno Bianchi", "--nuovo-nome", "B. Bianchi", "--motivo", "x")
    assert code == 2 and "Bruno Bianchi non si può rinominare: ha già valutato" in err
    code, _, err = run(capsys, "members", "rimuovi", f, "Bruno Bianchi", "--motivo", "x")
    assert code == 2 and "Bruno Bianchi non si può rimuovere: ha già valutato" in err


def test_session_corrected_with_reason_by_the_secretary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a recorded session is corrected only with a reason, logged and printed; a note is added, never replaces."""
    f = committee_file(tmp_path / "c.valutazione", State.IMPORTED).path
    assert main(["seduta", "add", str(f), "--data", "16/04/2018", "--inizio", "09:30", "--fine", "12:00",
                 "--luogo", "Palazzo Marino", "--presenti", f"{CHAIR};Bruno Bianchi"]) == 0  # fmt: skip
    good, bad = with_password(Path(f), SECRETARY, tmp_path)
    correct = ("seduta", "rettifica", f, 1, "--presenti", f"{CHAIR};Bruno Bianchi;Carla Verdi", "--fine", "13:15")
    code, _, err = run(capsys, *correct, "--motivo", "Presenza omessa", "--file-password", bad)
    assert code == 2 and f"Password errata per {SECRETARY}" in err
    code, _, err = run(capsys, *correct, "--motivo", " ", "--file-password", good)
    assert code == 2 and "Indicare il motivo della rettifica" in err
    code, _, err = run(capsys, "seduta", "rettifica", f, 1, "--fine", "08:00", "--motivo", "x", "--file-password", good)
    assert code == 2 and "L'ora di fine della seduta precede l'ora di inizio" in err
    code, _, err = run(capsys, "seduta", "rettifica", f, 7, "--fine", "13:00", "--motivo", "x", "--file-password", good)
    assert code == 2 and "7" in err
    code, out, _ = run(capsys, *correct, "--motivo", "Presenza omessa", "--file-password", good)
    assert code == 0 and "Rettificata la seduta n. 1" in out
    with opened(f, read_only=True) as db, db.sessions() as s:
        row = s.scalars(select(Seduta)).one()
        assert row.end_time == "13:15" and "Presenza omessa" in row.notes and "Carla Verdi" in row.notes
        logged = s.scalars(select(AuditRow).where(AuditRow.action == "seduta.rettificata")).one()
        assert logged.actor == SECRETARY
    note = ("seduta", "rettifica", f, 1, "--nota", "Leggere «sei domande».", "--motivo", "Refuso")
    code, out, _ = run(capsys, *note, "--file-password", good)
    assert code == 0 and "Rettificata la seduta n. 1" in out
    with opened(f, read_only=True) as db, db.sessions() as s:
        notes = s.scalars(select(Seduta)).one().notes
        assert "Presenza omessa" in notes and "Leggere «sei domande»." in notes  # added, the first kept
    intact(Path(f))


def test_abstention_withdrawn_by_the_chair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: only the chair withdraws a member's abstention, with a reason (never the member's «--nessuno»)."""
    cf = committee_file(tmp_path / "c.valutazione", State.ADMISSIBILITY)
    f = Path(cf.path)
    with opened(f, read_only=True) as db, db.sessions() as s:
        protocol = lookup.domanda_by_protocol(s, "PG 101/2018").protocol
    assert main(["conflict", str(f), "--commissario", "Bruno Bianchi", "--protocollo", protocol,
                 "--motivo", "Parente del legale rappresentante"]) == 0  # fmt: skip
    code, _, err = run(capsys, "conflict", f, "--commissario", "Bruno Bianchi", "--protocollo", protocol, "--nessuno")
    assert code == 2 and "l'astensione può essere ritirata solo dal presidente" in err
    good, bad = with_password(f, CHAIR, tmp_path)
    code, out, _ = run(capsys, "astensione", "elenco", f)
    assert code == 0 and "Bruno Bianchi" in out and "Parente del legale rappresentante" in out
    withdraw = ("astensione", "ritira", f, "--commissario", "Bruno Bianchi", "--protocollo", protocol)
    code, _, err = run(capsys, *withdraw, "--motivo", "Omonimia", "--file-password", bad)
    assert code == 2 and f"Password errata per {CHAIR}" in err
    code, _, err = run(capsys, *withdraw, "--motivo", " ", "--file-password", good)
    assert code == 2 and "Indicare il motivo del ritiro dell'astensione di Bruno Bianchi" in err
    code, out, _ = run(capsys, *withdraw, "--motivo", "Omonimia, non è parente", "--file-password", good)
    assert code == 0 and f"Ritirata l'astensione di Bruno Bianchi sulla domanda {protocol}" in out
    code, _, err = run(capsys, *withdraw, "--motivo", "Di nuovo", "--file-password", good)
    assert code == 2 and "Nessuna astensione registrata" in err
    with opened(f, read_only=True) as db, db.sessions() as s:
        assert abstentions.list_abstentions(s) == []
        logged = s.scalars(select(AuditRow).where(AuditRow.action == "conflitto.astensione_ritirata")).one()
        assert logged.actor == CHAIR
    intact(f)
