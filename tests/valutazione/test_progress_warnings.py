"""Progress warnings grouped for the chair: by kind, one line per application, every warning counted once."""

from __future__ import annotations

from pathlib import Path

from tests.ui.chair import scenario
from valutazione.db import Database
from valutazione.services import sheets
from valutazione.services.lookup import domanda_by_protocol
from valutazione.services.progress import load_board
from valutazione.services.progress_warnings import TITLES, group_warnings, members_named


def test_groups_count_every_warning_once_blocking_first(db: Database, tmp_path: Path) -> None:
    """Blocking kinds come first; the counts add up to the engine's warnings; the missing sheet names whose."""
    ids = scenario.build(db, tmp_path)
    with db.sessions.begin() as s:
        d = domanda_by_protocol(s, "PG 138/2018")
        sheets.reopen(s, ids["Nadia Cattaneo"], d.id, ids["Laura Fumagalli"], "Errore materiale su C.2")
    with db.sessions() as s:
        board = load_board(s)
    groups = group_warnings(board.warnings, board.absent())
    assert [g.kind for g in groups][:2] == ["scheda_mancante", "quorum"] and groups[0].blocking
    assert sum(g.warnings for g in groups) == len(board.warnings)
    assert groups[0].heading == TITLES["scheda_mancante"] + " — 1 avviso su 1 domanda"
    assert groups[0].lines[0].text == "manca la scheda di 1 commissario su 3 (Nadia Cattaneo)"
    spread = next(g for g in groups if g.kind == "scarto")
    assert len({line.protocol for line in spread.lines}) == len(spread.lines) < spread.warnings
    assert all(line.text.count("(da ") >= 1 and "Domanda" not in line.text for line in spread.lines)
    assert members_named(groups) == ("Nadia Cattaneo",)


def test_missing_marks_are_one_line_per_member() -> None:
    """Marks missing on several sub-criteria by the same member make one line naming them all."""
    warnings = [
        {"kind": "scheda_mancante", "protocol": "PG 1/2018", "sub_code": c, "member": "Anna Verdi", "message": "x"}
        for c in ("A.1", "A.2", "B.1")
    ]
    (group,) = group_warnings(warnings)
    assert [line.text for line in group.lines] == ["Anna Verdi: manca il punteggio su A.1, A.2, B.1"]
    assert group.heading.endswith("3 avvisi su 1 domanda")
