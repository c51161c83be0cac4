"""``valutazione import``: exit codes, JSON shape, Italian report, one transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.valutazione.importers.conftest import ALLEGATI, SAMPLE, dump, sample_records, write_csv
from valutazione.cli import main
from valutazione.db import Database
from valutazione.models import Domanda


def domande(db: Database) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Domanda)) or 0)


def test_refused_file_exits_2_with_json_report(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows refused without --skip-invalid: exit 2, JSON lists them, nothing is written."""
    before = dump(db)
    code = main(["import", str(db.path), str(SAMPLE), "--allegati", str(ALLEGATI), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2
    assert out["imported"] == 0
    assert [(r["row"], r["protocol"], r["field"]) for r in out["refused"]] == [
        (25, "PG 123/2018", "protocollo"),
        (33, "PG 132/2018", "contributo"),
    ]
    assert all(set(r) == {"row", "protocol", "field", "reason"} for r in out["refused"])
    assert dump(db) == before


def test_skip_invalid_exits_0_and_imports(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """--skip-invalid imports the 38 readable rows and reports the 6 flags as protocol, rule, detail."""
    code = main(["import", str(db.path), str(SAMPLE), "--allegati", str(ALLEGATI), "--skip-invalid", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["imported"] == 38 and out["skipped"] == 0
    assert {(f["protocol"], f["rule"]) for f in out["flagged"]} == {
        ("PG 104/2018", "cf_non_valido"),
        ("PG 108/2018", "zona_non_ammessa"),
        ("PG 112/2018", "forma_giuridica"),
        ("PG 116/2018", "oltre_massimale"),
        ("PG 120/2018", "cofinanziamento_insufficiente"),
        ("PG 128/2018", "fuori_termine"),
    }
    assert all(set(f) == {"protocol", "rule", "detail"} and f["detail"] for f in out["flagged"])
    assert domande(db) == 38
    assert main(["import", str(db.path), str(SAMPLE), "--skip-invalid", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0 and again["skipped"] == 38 and domande(db) == 38


def test_dry_run_writes_nothing(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run never writes; it exits 0 only when no row would be refused."""
    before = dump(db)
    assert main(["import", str(db.path), str(SAMPLE), "--dry-run", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["planned"] == 38
    clean = write_csv(tmp_path / "pulito.csv", [r for i, r in enumerate(sample_records()) if i + 1 not in (25, 33)])
    assert main(["import", str(db.path), str(clean), "--dry-run"]) == 0
    assert "nessuna modifica" in capsys.readouterr().out
    assert dump(db) == before


def test_text_report_is_italian(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the chair reads rows, reasons and flags in Italian."""
    assert main(["import", str(db.path), str(SAMPLE)]) == 2
    out = capsys.readouterr().out
    assert "riga 25 · PG 123/2018 · protocollo" in out
    assert "riga 33 · PG 132/2018 · contributo: importo mancante" in out
    assert "PG 128/2018 · fuori_termine" in out
    assert "File rifiutato" in out and "--skip-invalid" in out


def test_unreadable_input_exits_2_with_message(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing export file or a bad --colonna is a user error: exit 2 and an Italian message."""
    assert main(["import", str(db.path), str(tmp_path / "manca.csv")]) == 2
    assert "Impossibile leggere" in capsys.readouterr().err
    assert main(["import", str(db.path), str(SAMPLE), "--colonna", "titolo"]) == 2
    assert "CAMPO=INTESTAZIONE" in capsys.readouterr().err


def test_colonna_maps_unknown_header(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--colonna CAMPO=INTESTAZIONE maps a column the aliases do not know."""
    records = sample_records()
    records[0][11] = "Somma domandata"
    path = write_csv(tmp_path / "x.csv", records)
    assert (
        main(["import", str(db.path), str(path), "--skip-invalid", "--json", "--colonna", "contributo=Somma domandata"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["imported"] == 38
