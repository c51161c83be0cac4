"""Seals: an edit made with plain sqlite3 under any decisive fact is caught, named, and blocks the file."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from valutazione import seals
from valutazione.cli import main
from valutazione.db import backup_to, open_database
from valutazione.demo import build_demo
from valutazione.exports import documents
from valutazione.projects import agreements, payments
from valutazione.ranking import RankingStatus
from valutazione.seals.report import BrokenSealError
from valutazione.services import ranking, sedute
from valutazione.sync.merge import merge_return
from valutazione.sync.package import export_package

CHAIR = "Laura Fumagalli"
# Hand edits the version checks must catch: an approved version's text, and a sent sheet's stored hash.
VERSION_EDIT = (
    "UPDATE graduatoria SET content_json = replace(content_json, '\"renounced\": false', "
    "'\"renounced\": true') WHERE version = 1"
)
SHEET_HASH_EDIT = (
    "UPDATE scheda SET content_hash = 'f' || substr(content_hash, 2) WHERE id = (SELECT min(id) FROM scheda "
    "WHERE state = 'inviata')"
)


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo procedure, with a final ranking, an agreement and a renunciation on top."""
    path = build_demo(tmp_path_factory.mktemp("seals") / "demo.valutazione")
    db = open_database(path)
    try:
        with db.sessions.begin() as s:
            version = ranking.approve(s, "definitiva", CHAIR, "test")
            funded = [r for r in ranking.stored(version).rows if r.status is RankingStatus.FUNDED]
            first = funded[0]
            agreements.sign(
                s,
                CHAIR,
                first.protocol,
                signed_on=date(2018, 6, 1),
                amount_cents=first.grant_cents,
                start_on=date(2018, 7, 1),
                end_on=date(2019, 6, 30),
            )
            payments.record(s, CHAIR, first.protocol, "anticipo", date(2018, 6, 15), 1000)
            ranking.renounce(s, funded[1].protocol, "rinuncia del beneficiario", CHAIR)
    finally:
        db.close()
    return path


@pytest.fixture
def demo(sealed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "commissione.valutazione"
    backup_to(sealed_template, target)
    return target


def tamper(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("DROP TRIGGER IF EXISTS audit_no_update")
        con.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        for sql in statements:
            assert con.execute(sql).rowcount != 0, sql
        con.commit()
    finally:
        con.close()


SUBMITTED_MARK = (
    "UPDATE voto SET value = '1.0' WHERE id = (SELECT min(v.id) FROM voto v JOIN scheda s ON s.id = v.scheda_id "
    "JOIN commissario c ON c.id = s.commissario_id WHERE s.state = 'inviata' AND c.name = 'Nadia Cattaneo' "
    "AND v.value != '1.0')"
)
CUT_TAIL = (
    "DELETE FROM audit WHERE id > (SELECT max(id) - 3 FROM audit)",
    "UPDATE bando SET audit_head = (SELECT hash FROM audit ORDER BY id DESC LIMIT 1)",
)

EDITS = {
    "scheda": ((SUBMITTED_MARK,), "Scheda di Nadia Cattaneo su PG", "i voti non corrispondono all'impronta dell'invio"),
    "scheda-rehashed": (
        (
            SUBMITTED_MARK.replace("UPDATE voto SET value = '1.0'", "UPDATE voto SET motivazione = 'x'"),
            "UPDATE scheda SET content_hash = 'f' || substr(content_hash, 2) WHERE state = 'inviata' AND id = "
            "(SELECT min(id) FROM scheda WHERE state = 'inviata')",
        ),
        "Scheda di",
        "impronta",
    ),
    "regole": (("UPDATE bando SET rules_json = replace(rules_json, '60', '50')",), "Regole del bando", "impronta"),
    "regole-sbloccate": (("UPDATE bando SET rules_locked_at = NULL",), "Regole del bando", "sbloccate"),
    "conflitto": (
        ("UPDATE conflitto SET has_conflict = 1, reason = 'parente' WHERE id = 3",),
        "Dichiarazione di conflitto di",
        "non corrisponde",
    ),
    "ammissibilita": (
        (
            "UPDATE ammissibilita SET outcome = 'ammissibile' WHERE outcome = 'esclusa' AND id = "
            "(SELECT min(id) FROM ammissibilita WHERE outcome = 'esclusa')",
        ),
        "Esito di ammissibilità su PG",
        "non corrisponde",
    ),
    "soccorso": (("UPDATE soccorso SET note = 'integrata in tempo'",), "Soccorso istruttorio su PG", "non corrisponde"),
    "rinuncia": (("DELETE FROM rinuncia",), "Rinuncia n.", "eliminata senza traccia"),
    "seduta": (("UPDATE seduta SET place = 'altrove'",), "Seduta n. 1", "non corrisponde"),
    "presenza": (("UPDATE presenza SET present = 1 - present WHERE id = 1",), "Presenza in seduta", "non corrisponde"),
    "erogazione": (("UPDATE erogazione SET amount_cents = 999999",), "Erogazione su PG", "non corrisponde"),
    "convenzione": (("UPDATE convenzione SET amount_cents = 1",), "Convenzione su PG", "non corrisponde"),
    "sorteggio": (
        (
            "INSERT INTO sorteggio (protocols_json, order_json, recorded_at, note) VALUES "
            '(\'["PG 101/2018","PG 102/2018"]\', \'["PG 102/2018","PG 101/2018"]\', '
            "'2018-05-01T10:00:00.000000+00:00', '')",
        ),
        "Sorteggio",
        "non è registrata",
    ),
    "commissario-chiave": (
        ("UPDATE commissario SET public_key = 'ab' WHERE name = 'Nadia Cattaneo'",),
        "Componente della commissione Nadia Cattaneo",
        "non corrisponde",
    ),
    "graduatoria": (
        (
            "UPDATE graduatoria SET content_json = replace(content_json, '\"renounced\": false', "
            "'\"renounced\": true') WHERE version = 1",
        ),
        "Graduatoria approvata",
        "versione 1",
    ),
    "registro-troncato": (CUT_TAIL, "Rinuncia", "non è registrata"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_edit_under_a_decisive_fact_is_caught_and_blocks_the_file(
    kind: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An sqlite3 edit of a sealed fact: verify exits 1 naming it; approval, export, package, merge, writes refused."""
    statements, obj, problem = EDITS[kind]
    tamper(demo, *statements)
    assert main(["audit", "verify", str(demo)]) == 1
    out = capsys.readouterr().out
    assert obj in out and problem in out, out
    assert "valutazione restore" in out
    db = open_database(demo)
    try:
        with db.sessions() as s:
            with pytest.raises(BrokenSealError) as refused:
                ranking.approve(s, "provvisoria", CHAIR)
            assert obj in str(refused.value)
            with pytest.raises(BrokenSealError):
                documents.export(s, "graduatoria", "pdf")
            with pytest.raises(BrokenSealError):
                export_package(s, "Nadia Cattaneo", tmp_path / "pacchetto.zip")
            with pytest.raises(BrokenSealError):
                merge_return(s, tmp_path / "ritorno.zip")
        with pytest.raises(BrokenSealError, match="Sigillo violato"), db.sessions.begin() as s:
            sedute.add_note(s, 1, "nota", CHAIR)
    finally:
        db.close()
    assert not (tmp_path / "pacchetto.zip").exists()


def test_untouched_file_passes_and_lists_nothing(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An untouched file: every seal holds, audit verify exits 0, and writing still works."""
    assert main(["audit", "verify", str(demo)]) == 0
    assert "Sigilli integri" in capsys.readouterr().out
    db = open_database(demo)
    try:
        with db.sessions.begin() as s:
            sedute.add_note(s, 1, "nota", CHAIR)
        with db.sessions() as s:
            assert seals.verify_seals(s) == []
    finally:
        db.close()


def test_every_broken_object_is_listed_not_only_the_first(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two independent edits: audit verify lists both objects."""
    tamper(demo, SUBMITTED_MARK, "UPDATE soccorso SET note = 'x'")
    assert main(["audit", "verify", str(demo)]) == 1
    out = capsys.readouterr().out
    assert "Sigilli violati: 2 oggetti" in out and "Scheda di Nadia Cattaneo" in out and "Soccorso istruttorio" in out


def test_reopened_sheet_does_not_break_the_version_approved_on_it(demo: Path) -> None:
    """A sheet reopened and changed after an approval: the old version still recomputes from the logged sending."""
    db = open_database(demo)
    try:
        with db.sessions.begin() as s:
            reopen_a_sent_sheet(s)
        with db.sessions() as s:
            assert seals.verify_seals(s) == []
    finally:
        db.close()


def reopen_a_sent_sheet(s: Any) -> None:
    """The chair reopens the first sent sheet of the demo, with a reason (a legitimate change after a send)."""
    from sqlalchemy import select

    from valutazione.models import Commissario, Scheda
    from valutazione.services import sheets

    chair = s.scalars(select(Commissario).where(Commissario.name == CHAIR)).one()
    sheet = s.scalars(select(Scheda).where(Scheda.state == "inviata")).first()
    assert sheet is not None
    sheets.reopen(s, sheet.commissario_id, sheet.domanda_id, chair.id, "errore materiale")
