"""The log rows the seals collect during the chain check are those each check would read from the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.valutazione.seals.test_seals import reopen_a_sent_sheet, sealed_template, tamper
from valutazione import audit, seals
from valutazione.db import backup_to, open_database
from valutazione.seals.logscan import LogScan
from valutazione.seals.rows import logged_seals
from valutazione.seals.sheets import SheetFacts, _logged_events

__all__ = ["sealed_template"]  # the module-scoped demo with a final ranking, shared with test_seals


@pytest.fixture
def demo(sealed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "commissione.valutazione"
    backup_to(sealed_template, target)
    db = open_database(target)
    try:
        with db.sessions.begin() as s:
            reopen_a_sent_sheet(s)
    finally:
        db.close()
    return target


def test_scan_equals_what_each_check_reads(demo: Path) -> None:
    """Seals: sends, reopenings and row seals gathered with the chain equal those read by each check."""
    db = open_database(demo, read_only=True)
    try:
        with db.sessions() as s:
            scan = LogScan()
            assert audit.verify_chain(s, visitor=scan).ok and scan.complete
            facts = SheetFacts()
            events = _logged_events(s, facts)
            assert any(e[0] == "scheda.riaperta" for e in events.values())
            assert scan.events == events and scan.logged_by_hash == facts.logged_by_hash
            assert scan.seals == logged_seals(s) and len(scan.seals) > 50
    finally:
        db.close()


def test_a_broken_chain_leaves_each_check_to_read_the_log(demo: Path) -> None:
    """Seals: with a truncated log the scan is incomplete, and every seal is checked as before."""
    tamper(demo, "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit WHERE action = 'sigillo')")
    db = open_database(demo, read_only=True)
    try:
        with db.sessions() as s:
            scan = LogScan()
            assert not audit.verify_chain(s, visitor=scan).ok and not scan.complete
            report = seals.verify_file(s)
    finally:
        db.close()
    assert not report.ok and report.broken[0].kind == "registro" and len(report.broken) > 1
