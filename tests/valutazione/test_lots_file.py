"""A call divided into lots on a real file: the import's lot, type and quota columns, the chair setting a lot
(audited), the ranking from the file, the command line, and schema 0005 on a file made before it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.valutazione.importers.conftest import write_csv
from valutazione import db as dbmod
from valutazione.bando import load_bando
from valutazione.cli import main
from valutazione.db import Database, create_database, head_revision, open_database
from valutazione.errors import RuleViolation
from valutazione.importers.domande import import_domande
from valutazione.models import AuditRow, Domanda
from valutazione.paths import resource
from valutazione.services import lots
from valutazione.services import ranking as ranking_service

DEMO = Path(resource("demo", "domande-quartieri.csv"))
QUARTIERI = Path(resource("bandi", "quartieri-connessi.toml"))
PERIFERIE = Path(resource("bandi", "milano-periferie-2018.toml"))


@pytest.fixture
def quartieri(tmp_path: Path) -> Database:
    db = create_database(tmp_path / "quartieri.valutazione", load_bando(QUARTIERI))
    with db.sessions.begin() as s:
        import_domande(s, DEMO)
    yield db
    db.close()


def test_import_reads_lot_and_quota_columns(quartieri: Database) -> None:
    """«Linea» gives the lot, «Giovani» (sì/no) the quota property; a row without a line is flagged, not refused."""
    with quartieri.sessions() as s:
        rows = {d.protocol: d for d in s.scalars(select(Domanda))}
        assert len(rows) == 14
        assert rows["QC 01/2019"].lot_code == "L1" and rows["QC 14/2019"].lot_code == "L3"
        assert rows["QC 12/2019"].quota_properties == "giovani" and rows["QC 11/2019"].quota_properties == ""
        assert rows["QC 10/2019"].lot_code is None
        assert [f.rule for f in rows["QC 10/2019"].flags] == ["lotto_mancante"]
        assert all(not d.flags for p, d in rows.items() if p != "QC 10/2019")


def test_chair_sets_the_lot_with_a_reason_and_it_is_audited(quartieri: Database) -> None:
    """Setting a lot needs a known lot and a reason; it clears the lot flag and logs before and after."""
    with quartieri.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="L9.*L1, L2, L3"):
            lots.set_lot(s, "QC 10/2019", "L9", "prova", "Giulia Ferrari")
        with pytest.raises(RuleViolation, match="motivo"):
            lots.set_lot(s, "QC 10/2019", "L2", "  ", "Giulia Ferrari")
        assert lots.set_lot(s, "QC 10/2019", "L2", "Linea nel modulo cartaceo", "Giulia Ferrari") is None
    with quartieri.sessions() as s:
        d = s.scalars(select(Domanda).where(Domanda.protocol == "QC 10/2019")).one()
        assert d.lot_code == "L2" and not d.flags
        log = s.scalars(select(AuditRow).where(AuditRow.action == "domanda.lotto")).one()
        assert (log.entity_id, log.actor) == ("QC 10/2019", "Giulia Ferrari")
        assert '"lotto":null' in log.before_json and '"L2"' in log.after_json
        assert [c.code for c in lots.choices(s)] == ["L1", "L2", "L3"]


def test_ranking_without_every_lot_set_is_refused(quartieri: Database) -> None:
    """The file's ranking names the application still without a lot instead of ranking it nowhere."""
    with quartieri.sessions() as s, pytest.raises(RuleViolation, match="QC 10/2019"):
        ranking_service.compute(s)


def test_caps_per_type_are_flagged_at_import(tmp_path: Path) -> None:
    """Periferie: a single-area project asking € 45.000 (cap € 40.000) and an unknown type are flagged;
    a multi-area one asking € 90.000 is not."""
    db = create_database(tmp_path / "periferie.valutazione", load_bando(PERIFERIE))
    header = ["Protocollo", "Data invio", "Denominazione", "Forma giuridica", "Codice fiscale", "Titolo progetto"]
    header += ["Zona", "Ambito", "Tipo progetto", "Costo totale", "Contributo richiesto", "Cofinanziamento"]
    common = ["APS", "97001000153", "Progetto", "Giambellino – Lorenteggio"]
    records = [
        header,
        ["P 1", "01/06/2018 10:00", "Ente 1", *common, "A3", "singola area", "50.000,00", "45.000,00", "5.000,00"],
        ["P 2", "01/06/2018 10:00", "Ente 2", *common, "A3", "Multi-area", "100.000,00", "90.000,00", "10.000,00"],
        ["P 3", "01/06/2018 10:00", "Ente 3", *common, "a3", "tripla", "20.000,00", "18.000,00", "2.000,00"],
    ]
    path = write_csv(tmp_path / "periferie.csv", records)
    with db.sessions.begin() as s:
        report = import_domande(s, path).report
    db.close()
    flags = {d.protocol: sorted(f.rule for f in d.flags) for d in report.domande}
    assert flags == {"P 1": ["oltre_massimale_tipo"], "P 2": [], "P 3": ["tipo_progetto_sconosciuto"]}
    types = {d.protocol: (d.lot_code, d.project_type) for d in report.domande}
    assert types == {"P 1": ("A3", "singola"), "P 2": ("A3", "multi"), "P 3": ("A3", None)}


def test_an_unreadable_yes_no_refuses_the_row(tmp_path: Path) -> None:
    """«Giovani» must read as sì or no: «forse» refuses that row, naming the field, and writes nothing."""
    records = [line.split(";") for line in DEMO.read_text(encoding="utf-8").splitlines()]
    records[12][11] = "forse"
    db = create_database(tmp_path / "q.valutazione", load_bando(QUARTIERI))
    with db.sessions.begin() as s:
        report = import_domande(s, write_csv(tmp_path / "q.csv", records), dry_run=True).report
    db.close()
    (refusal,) = report.refused
    assert (refusal.protocol, refusal.field) == ("QC 12/2019", "riserva:giovani")
    assert "sì/no" in refusal.reason


def test_the_files_lots_and_rank_per_lot(quartieri: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """With QC 10 put in L2 the file's ranking has its three lots (quota reserved, nothing granted before
    any sheet) and ``rank --lotto`` prints only that lot's rows and money; an unknown lot is refused."""
    with quartieri.sessions.begin() as s:
        lots.set_lot(s, "QC 10/2019", "L2", "Linea nel modulo cartaceo", "Giulia Ferrari")
        computed = ranking_service.compute(s)
        view = lots.overview(s)
    unscored = {r.protocol for r in computed.ranking.rows if r.status == "non_valutata"}
    assert len(unscored) == 14  # no sheet yet: nothing is ranked, nothing is granted
    assert view is not None and [b.code for b in view.lots] == ["L1", "L2", "L3"]
    assert view.lots[2].quota_reserved_cents == 3_099_000 and view.pool_cents == 51_650_000
    path = str(quartieri.path)
    quartieri.close()
    assert main(["rank", path, "--lotto", "L2"]) == 0
    out = capsys.readouterr().out.split("Avvisi:")[0]
    assert "QC 07/2019" in out and "QC 01/2019" not in out and "Lotto L2" in out and "Lotto L1" not in out
    assert main(["rank", path, "--lotto", "L7"]) == 2
    assert "Lotto «L7» non previsto" in capsys.readouterr().err


def test_schema_0005_upgrades_a_file_made_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file at schema 0004 opens at 0005: its applications have no lot, no type and no property."""
    older = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS, older, ignore=shutil.ignore_patterns("__pycache__"))
    for later in (older / "versions").glob("00*.py"):
        if later.name >= "0005":  # the lots revision and every one after it
            later.unlink()
    path = tmp_path / "vecchio.valutazione"
    monkeypatch.setattr(dbmod, "MIGRATIONS", older)
    # The seals' check of today's program reads tables a 0004 file does not have yet (confronto, 0008).
    monkeypatch.setattr(dbmod.Database, "_guard_writes", lambda *_args: None)
    create_database(path, load_bando(resource("bandi", "milano-mi331e.toml"))).close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
    con.close()
    monkeypatch.undo()
    db = open_database(path)
    try:
        with db.sessions() as s:
            assert s.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            columns = {r[1] for r in s.connection().exec_driver_sql("PRAGMA table_info(domanda)")}
        assert {"lot_code", "project_type", "quota_properties"} <= columns
        assert head_revision() >= "0005"
    finally:
        db.close()
