"""File → «Copia di sicurezza…» and «Verifica del registro…»: the CLI's backup and audit check in the GUI."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.builders import CommitteeFile
from tests.ui.helpers import enter_as, open_window
from ui import dialogs


def _said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: said.append(("info", text)))
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: said.append(("error", text)))
    return said


def test_backup_on_demand_is_a_complete_copy_and_never_the_file_itself(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy holds the same audit rows as the file; choosing the file itself is refused in Italian."""
    said = _said(monkeypatch)
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    copy = tmp_path / "copia" / "commissione-copia.valutazione"
    monkeypatch.setattr(dialogs, "save_path", lambda *_a, **_k: copy)
    window.maintenance.backup_action.trigger()
    assert "Copia di sicurezza salvata" in window.statusBar().currentMessage()
    monkeypatch.setattr(dialogs, "save_path", lambda *_a, **_k: committee_file.path)
    window.maintenance.backup_action.trigger()
    assert said and said[-1][0] == "error" and "non può sostituire il file stesso" in said[-1][1]
    window.close()
    with sqlite3.connect(committee_file.path) as a, sqlite3.connect(copy) as b:
        query = "SELECT hash FROM audit ORDER BY id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall() != []


def test_audit_check_on_demand_reports_intact_then_tampered(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menu check says how many operations were verified; after an edit outside the program it names the row."""
    said = _said(monkeypatch)
    window = open_window(qtbot, committee_file.path)
    window.maintenance.check_action.trigger()
    qtbot.waitUntil(lambda: window.maintenance.job is None, timeout=20000)
    assert said and said[-1][0] == "info" and said[-1][1].startswith("Registro integro: "), said
    with sqlite3.connect(committee_file.path) as con:
        (rows,) = con.execute("SELECT count(*) FROM audit").fetchone()
    assert f"{rows} operazioni verificate" in said[-1][1]
    window.close()

    with sqlite3.connect(committee_file.path) as con:  # an edit outside the program, past its triggers
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"):
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute("UPDATE audit SET actor = 'Qualcun altro' WHERE id = 2")
    window = open_window(qtbot, committee_file.path)
    window.maintenance.check_action.trigger()
    qtbot.waitUntil(lambda: window.maintenance.job is None, timeout=20000)
    assert said[-1][0] == "error" and "Registro delle operazioni" in said[-1][1] and "riga 2" in said[-1][1], said
    window.close()


def test_check_against_a_document_holds_then_names_the_missing_anchor(
    qtbot: Any, committee_file: CommitteeFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """«Verifica rispetto a un documento…»: an exported PDF matches its file; after the log's tail is cut and
    the head moved, the same PDF names the missing anchor (what `audit verify --against` says)."""
    from valutazione.db import opened
    from valutazione.exports.documents import export

    pdf = tmp_path / "graduatoria.pdf"
    with opened(committee_file.path) as db, db.sessions() as s:
        pdf.write_bytes(export(s, "graduatoria", "pdf"))
    said = _said(monkeypatch)
    monkeypatch.setattr(dialogs, "open_path", lambda *_a, **_k: pdf)
    window = open_window(qtbot, committee_file.path)
    window.maintenance.against_action.trigger()
    qtbot.waitUntil(lambda: window.maintenance.job is None, timeout=20000)
    assert said[-1][0] == "info" and "«graduatoria.pdf» corrisponde al file" in said[-1][1]
    window.close()

    with sqlite3.connect(committee_file.path) as con:  # cut the tail and move the stored head
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"):
            con.execute(f'DROP TRIGGER "{name}"')
        (last,) = con.execute("SELECT max(id) FROM audit").fetchone()
        con.execute("DELETE FROM audit WHERE id = ?", (last,))
        (head,) = con.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        con.execute("UPDATE bando SET audit_head = ?", (head,))
    window = open_window(qtbot, committee_file.path)
    window.maintenance.against_action.trigger()
    qtbot.waitUntil(lambda: window.maintenance.job is None, timeout=20000)
    assert said[-1][0] == "error" and "ancora mancante" in said[-1][1]
    window.close()
