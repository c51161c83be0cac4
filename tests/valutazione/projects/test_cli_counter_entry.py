"""The counter-entry of a payment from the command line: listed with its number, reversed with a reason and
the chair's password, refused (Italian, exit 2) without a reason, twice, or with the wrong password."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.valutazione.projects.conftest import CHAIR
from valutazione.cli import main
from valutazione.db import opened
from valutazione.projects import payments
from valutazione.seals import verify_seals
from valutazione.services import identity, lookup

P = "PG 138/2018"
PASSWORD = "Presidenza-2026"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def paid(final_ranking_file: Path, tmp_path: Path) -> Path:
    """A copy of the final-ranking file with an agreement and an advance, and the chair's password set."""
    f = tmp_path / "bando.valutazione"
    shutil.copy(final_ranking_file, f)
    assert main(["convenzione", "add", str(f), P, "--data", "01/06/2018"]) == 0
    args = ["erogazione", "add", str(f), P, "--tipo", "anticipo", "--data", "15/06/2018", "--importo", "1.000,00"]
    assert main(args) == 0
    with opened(f) as db, db.sessions.begin() as s:
        identity.set_password(s, lookup.member_by_name(s, CHAIR).id, PASSWORD)
    return f


def test_cli_counter_entry_lists_reverses_and_refuses(
    paid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule: a wrong payment is cancelled by a counter-entry naming it and the reason, never rewritten."""
    good, bad = tmp_path / "giusta.txt", tmp_path / "errata.txt"
    good.write_text(PASSWORD + "\n", encoding="utf-8")
    bad.write_text("non-la-password\n", encoding="utf-8")
    code, out, _ = run(capsys, "erogazione", "elenco", paid, P)
    assert code == 0 and "anticipo" in out and "€ 1.000,00" in out
    with opened(paid, read_only=True) as db, db.sessions() as s:
        advance = payments.list_payments(s, P)[0].id
    reverse = ("erogazione", "storno", paid, P, "--numero", advance, "--data", "20/06/2018")
    code, _, err = run(capsys, *reverse, "--motivo", "   ", "--file-password", good)
    assert code == 2 and "Indicare il motivo dello storno" in err
    code, _, err = run(capsys, *reverse, "--motivo", "Importo errato", "--file-password", bad)
    assert code == 2 and f"Password errata per {CHAIR}" in err
    code, _, err = run(capsys, *reverse[:5], "99999", *reverse[6:], "--motivo", "x", "--file-password", good)
    assert code == 2 and "non è tra quelle di PG 138/2018" in err
    code, out, _ = run(capsys, *reverse, "--motivo", "Importo errato", "--file-password", good)
    assert code == 0 and f"Stornata l'erogazione n. {advance}" in out
    code, _, err = run(capsys, *reverse, "--motivo", "Ancora", "--file-password", good)
    assert code == 2 and "è già stata stornata" in err
    code, out, _ = run(capsys, "erogazione", "elenco", paid, P)
    assert "(stornata)" in out and "recupero" in out
    with opened(paid, read_only=True) as db, db.sessions() as s:
        rows = payments.list_payments(s, P)
        assert sum(r.signed_cents for r in rows) == 0
        assert verify_seals(s) == []
