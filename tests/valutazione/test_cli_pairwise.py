"""Pairwise comparisons entered from the command line: shown, saved from a CSV, refused in Italian (exit 2)
when a row is malformed, a pair is outside the member's applications or the member's password is wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.valutazione.pairwise_helpers import pairwise_file
from valutazione.bando import Bando
from valutazione.cli import main
from valutazione.db import opened
from valutazione.seals import verify_seals
from valutazione.services import identity, lookup
from valutazione.services.pairwise_entry import own_sheet

MEMBER = "Bruno Bianchi"
PASSWORD = "commissario-7"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_pairwise_entry(tmp_path: Path, milano: Bando, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: a member compares every pair of the applications they score; degrees 1 to 6, parity is 1."""
    f = pairwise_file(tmp_path / "coppie.valutazione", milano, compare=False)
    with opened(f) as db, db.sessions.begin() as s:
        identity.set_password(s, lookup.member_by_name(s, MEMBER).id, PASSWORD)
    good, bad = tmp_path / "giusta.txt", tmp_path / "errata.txt"
    good.write_text(PASSWORD, encoding="utf-8")
    bad.write_text("altra-password", encoding="utf-8")
    rows = tmp_path / "confronti.csv"
    rows.write_text("domanda_a;domanda_b;preferita;grado\nP1;P2;P1;3\nP1;P3;P1;4,5\nP2;P3;;1\n", encoding="utf-8")
    who = ("--commissario", MEMBER, "--sottocriterio", "A.1")
    code, out, _ = run(capsys, "confronti", "mostra", f, *who)
    assert code == 0 and "P1, P2, P3" in out and "0 confronti su 3 (incompleti)" in out
    code, _, err = run(capsys, "confronti", "salva", f, *who, rows, "--file-password", bad)
    assert code == 2 and f"Password errata per {MEMBER}" in err
    code, out, _ = run(capsys, "confronti", "salva", f, *who, rows, "--file-password", good)
    assert code == 0 and "3 confronti su 3 (completi)" in out and "preferita P1, grado 4,5" in out
    for text, said in (
        ("domanda_a;domanda_b;preferita;grado\nP1;P2;P1;tre\n", "riga 2, campo grado: «tre» non è un numero"),
        ("domanda_a;domanda_b;preferita;grado\nP1;P2;P1;7\n", "va da 1 a 6"),
        ("domanda_a;domanda_b;preferita;grado\nP1;P9;P1;2\n", "P9 non è tra quelle da valutare"),
        ("a;b\nP1;P2\n", "riga 1: l'intestazione deve essere domanda_a;domanda_b;preferita;grado"),
    ):
        rows.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "confronti", "salva", f, *who, rows, "--file-password", good)
        assert code == 2 and said in err, err
    code, _, err = run(capsys, "confronti", "salva", f, *who, tmp_path / "manca.csv", "--file-password", good)
    assert code == 2 and "manca.csv" in err
    with opened(f, read_only=True) as db, db.sessions() as s:
        sheet = own_sheet(s, db.bando(), lookup.member_by_name(s, MEMBER).id, "A.1")
        degrees = {(c.a, c.b): c.degree for c in sheet.comparisons}
        assert sheet.complete and degrees[("P1", "P3")] == Decimal("4.5")  # the refused saves changed nothing
        assert verify_seals(s) == []
