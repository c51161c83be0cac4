"""Importing the sample export: refusals, flags, all-or-nothing, re-import, encodings, XLSX, aliases."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.valutazione.importers.conftest import (
    ALLEGATI,
    SAMPLE,
    dump,
    expected_defects,
    sample_records,
    write_csv,
)
from valutazione import audit
from valutazione.db import Database
from valutazione.errors import ImportRefusedError
from valutazione.importers.domande import import_domande, plan_import, read_table
from valutazione.importers.report import ImportCancelledError, ImportReport, RowsRefusedError
from valutazione.importers.table import FIELD_ALIASES, normalise_header
from valutazione.models import Allegato, AuditRow, Blob, Domanda, Flag, ImportBatch, ZonaRow

pytestmark = pytest.mark.both_engines  # the import gives the same rows, refusals and log on a file and on the server


def plan(db: Database, path: Path, **kwargs: object) -> ImportReport:
    """The report of a dry run (nothing written)."""
    with db.sessions.begin() as s:
        return import_domande(s, path, dry_run=True, **kwargs).report  # type: ignore[arg-type]


def outcome(report: ImportReport) -> tuple[set[tuple[int, str, str]], set[tuple[int, str, str]]]:
    """(flags, refusals) of a report as (row, protocol, rule-or-field), comparable with the defects file."""
    flags = {(d.row, d.protocol, f.rule) for d in report.domande for f in d.flags}
    refusals = {(r.row, r.protocol, r.field) for r in report.refused}
    return flags, refusals


def count(db: Database, model: type) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_sample_flags_and_refusals_match_defects_file(db: Database) -> None:
    """Each deliberate defect of the sample gives exactly its flag or refusal, and no other row is touched."""
    report = plan(db, SAMPLE, allegati=ALLEGATI)
    assert outcome(report) == expected_defects()
    assert report.total_rows == 40 and len(report.domande) == 38 and not report.skipped


def test_sample_refusal_reasons_name_row_and_field(db: Database) -> None:
    """A refusal says the spreadsheet row, the protocol, the field and an Italian reason."""
    report = plan(db, SAMPLE)
    by_row = {r.row: r for r in report.refused}
    assert by_row[25].protocol == "PG 123/2018" and "riga 24" in by_row[25].reason
    assert by_row[33].protocol == "PG 132/2018" and by_row[33].reason == "importo mancante"


def test_refused_file_writes_nothing(db: Database) -> None:
    """Without skip_invalid a file with refused rows is refused as a whole: the database is unchanged."""
    before = dump(db)
    with pytest.raises(RowsRefusedError) as caught, db.sessions.begin() as s:
        import_domande(s, SAMPLE, allegati=ALLEGATI)
    assert caught.value.report.refused_rows == (25, 33)
    assert "25, 33" in str(caught.value)
    assert dump(db) == before


def test_skip_invalid_imports_the_readable_rows(db: Database) -> None:
    """With skip_invalid the 38 readable rows are stored with their flags, zones and attachments."""
    with db.sessions.begin() as s:
        result = import_domande(s, SAMPLE, allegati=ALLEGATI, skip_invalid=True)
    assert result.imported == 38
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Domanda)) == 38
        stored = {(d.source_row, d.protocol, f.rule) for d in s.scalars(select(Domanda)) for f in d.flags}
        assert stored == expected_defects()[0]
        brera = s.scalars(select(Domanda).where(Domanda.protocol == "PG 108/2018")).one()
        assert brera.zona_id is None and brera.zone_text == "Brera"
        first = s.scalars(select(Domanda).where(Domanda.protocol == "PG 101/2018")).one()
        assert first.zona is not None and first.zona.number == 1
        assert (first.total_cost_cents, first.grant_cents, first.cofinancing_cents) == (5646000, 4450400, 1195600)
        assert first.submitted_at == datetime.fromisoformat("2018-02-17T11:07:00+00:00")
        assert first.duration_months == 24 and first.batch_id == result.batch_id
        [allegato] = first.allegati
        assert allegato.filename == "PG_101-2018_proposta.pdf"
        blob = s.get(Blob, allegato.sha256)
        assert blob is not None and blob.data.startswith(b"%PDF")
        assert blob.data == (ALLEGATI / "PG_101-2018_proposta.pdf").read_bytes()
        assert s.scalar(select(func.count()).select_from(Blob)) == 38


def test_batch_and_audit_row_record_the_import(db: Database) -> None:
    """One ImportBatch (file name, file hash, counts) and one chained audit row per import."""
    with db.sessions.begin() as s:
        import_domande(s, SAMPLE, skip_invalid=True, actor="presidente")
    with db.sessions() as s:
        batch = s.scalars(select(ImportBatch)).one()
        assert batch.filename == SAMPLE.name
        assert batch.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        assert (batch.rows_imported, batch.rows_refused) == (38, 2)
        row = s.scalars(select(AuditRow).where(AuditRow.action == "domande.importate")).one()
        after = json.loads(row.after_json)
        assert row.actor == "presidente" and after["importate"] == 38 and after["segnalazioni"] == 6
        assert [r["riga"] for r in after["rifiutate"]] == [25, 33]
        assert audit.verify_chain(s).ok


def test_importing_twice_adds_nothing(db: Database) -> None:
    """Rows identical to stored applications are skipped ("già presenti"): a second import writes nothing."""
    with db.sessions.begin() as s:
        import_domande(s, SAMPLE, allegati=ALLEGATI, skip_invalid=True)
    before = dump(db)
    with db.sessions.begin() as s:
        result = import_domande(s, SAMPLE, allegati=ALLEGATI, skip_invalid=True)
    assert result.imported == 0 and len(result.report.skipped) == 38 and result.batch_id is None
    assert dump(db) == before


def test_same_protocol_with_different_content_is_refused(db: Database, tmp_path: Path) -> None:
    """A known protocol arriving again with different data is refused, never silently overwritten."""
    with db.sessions.begin() as s:
        import_domande(s, SAMPLE, skip_invalid=True)
    records = sample_records()
    records[1][11] = "44.000,00"
    changed = write_csv(tmp_path / "modificato.csv", records)
    report = plan(db, changed)
    assert (2, "PG 101/2018", "protocollo") in outcome(report)[1]
    assert "dati diversi" in next(r.reason for r in report.refused if r.row == 2)


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), (";", "cp1252"), (",", "utf-8"), (",", "utf-8-sig"), ("\t", "cp1252")],
)
def test_csv_variants_read_alike(db: Database, tmp_path: Path, delimiter: str, encoding: str) -> None:
    """Comma or semicolon separators, UTF-8 with or without BOM and Windows-1252 give the same applications."""
    reference = plan(db, SAMPLE)
    variant = write_csv(tmp_path / "variante.csv", sample_records(), delimiter=delimiter, encoding=encoding)
    report = plan(db, variant)
    assert outcome(report) == outcome(reference)
    assert [d.content_sha256 for d in report.domande] == [d.content_sha256 for d in reference.domande]
    assert report.domande[6].title == "Repair café e biblioteca degli oggetti"


def test_xlsx_export_reads_like_csv(db: Database, tmp_path: Path) -> None:
    """An XLSX export with numeric cells, real dates and numeric tax codes gives the same result as the CSV."""
    from openpyxl import Workbook

    records = sample_records()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(records[0])
    for record in records[1:]:
        cells: list[object] = list(record)
        cells[1] = datetime.strptime(record[1], "%d/%m/%Y %H:%M")
        cells[4] = int(record[4])  # Excel drops the leading zero of codes such as 02003560155
        for i in (10, 11, 12):
            cells[i] = float(record[i].replace(".", "").replace(",", ".")) if record[i] else None
        cells[13] = int(record[13])
        ws.append(cells)
    path = tmp_path / "domande.xlsx"
    wb.save(path)
    reference = plan(db, SAMPLE)
    report = plan(db, path)
    assert outcome(report) == outcome(reference) == expected_defects()
    assert [d.content_sha256 for d in report.domande] == [d.content_sha256 for d in reference.domande]


def test_other_platform_headers_are_recognised(db: Database, tmp_path: Path) -> None:
    """Column aliases (N. protocollo, Ragione sociale, CF, Importo richiesto, Quartiere...) in any order work."""
    aliases = [
        "N. protocollo",
        "data di INVIO",
        "Ragione sociale",
        "Natura giuridica",
        "CF",
        "P. IVA",
        "Rappresentante legale",
        "E-mail",
        "Titolo",
        "Quartiere",
        "Costo complessivo",
        "Importo richiesto",
        "Co-finanziamento",
        "Durata",
        "Sintesi",
        "Documenti",
    ]
    records = sample_records()
    order = list(reversed(range(len(aliases))))
    renamed = [[aliases[i] for i in order]] + [[r[i] for i in order] for r in records[1:]]
    report = plan(db, write_csv(tmp_path / "altra.csv", renamed))
    assert outcome(report) == outcome(plan(db, SAMPLE))


def test_explicit_mapping_wins(db: Database, tmp_path: Path) -> None:
    """A column the aliases do not know is read when the user maps it explicitly."""
    records = sample_records()
    records[0][8] = "Colonna strana"
    path = write_csv(tmp_path / "strana.csv", records)
    with pytest.raises(ImportRefusedError, match="Titolo progetto"):
        plan(db, path)
    report = plan(db, path, mapping={"titolo": "colonna  STRANA"})
    assert report.domande[0].title == "Orti condivisi nei cortili popolari"


def test_aliases_are_unambiguous() -> None:
    """No header alias belongs to two fields, so automatic mapping never depends on field order."""
    owners: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            assert owners.setdefault(normalise_header(alias), field) == field


def test_unreadable_values_are_refused_per_field(db: Database, tmp_path: Path) -> None:
    """Bad dates, amounts, durations and missing required text are refusals naming each field."""
    records = sample_records()[:3]
    records[1][1] = "30/02/2018 10:00"
    records[1][10] = "tanti soldi"
    records[2][2] = ""
    records[2][13] = "0"
    report = plan(db, write_csv(tmp_path / "rotto.csv", records))
    assert {(r.row, r.field) for r in report.refused} == {
        (2, "data_invio"),
        (2, "costo_totale"),
        (3, "denominazione"),
        (3, "durata_mesi"),
    }
    assert not report.domande


def test_admissibility_flags_on_edited_rows(db: Database, tmp_path: Path) -> None:
    """Incoherent total cost, ambiguous zone and an invalid VAT number are flagged, the row still imported."""
    records = sample_records()[:3]
    records[1][10] = "60.000,00"
    records[1][9] = "Corvetto e San Siro"
    records[2][5] = "12345678901"
    report = plan(db, write_csv(tmp_path / "segnalate.csv", records))
    assert outcome(report)[0] == {
        (2, "PG 101/2018", "costo_incoerente"),
        (2, "PG 101/2018", "zona_ambigua"),
        (3, "PG 102/2018", "cf_non_valido"),
    }


def test_missing_required_column_refuses_file(db: Database, tmp_path: Path) -> None:
    """A file without a required column cannot be read at all: refused with the column's name."""
    records = [r[:11] + r[12:] for r in sample_records()]
    with pytest.raises(ImportRefusedError, match="Contributo richiesto"):
        plan(db, write_csv(tmp_path / "senza.csv", records))


def test_interrupted_import_leaves_database_unchanged(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception midway through writing rolls everything back: the dump is byte for byte the same."""
    from valutazione.importers import domande

    real = domande._store_attachment
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> str | None:
        calls["n"] += 1
        if calls["n"] == 20:
            raise OSError("disco pieno")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(domande, "_store_attachment", failing)
    before = dump(db)
    with pytest.raises(OSError, match="disco pieno"), db.sessions.begin() as s:
        import_domande(s, SAMPLE, allegati=ALLEGATI, skip_invalid=True)
    assert calls["n"] == 20
    assert dump(db) == before


def test_cancel_during_writing_leaves_database_unchanged(db: Database) -> None:
    """Cancelling while rows are being written raises ImportCancelledError and nothing is kept."""
    seen: list[tuple[int, int]] = []
    before = dump(db)
    with pytest.raises(ImportCancelledError), db.sessions.begin() as s:
        import_domande(
            s,
            SAMPLE,
            skip_invalid=True,
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: bool(seen) and seen[-1][0] >= 50,
        )
    assert seen[-1][0] >= 50 and count(db, Domanda) == 0
    assert dump(db) == before


def test_progress_is_monotonic_and_complete(db: Database) -> None:
    """Progress goes from 0 to its total without going back, reading then writing."""
    seen: list[tuple[int, int]] = []
    with db.sessions.begin() as s:
        import_domande(s, SAMPLE, skip_invalid=True, progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (80, 80) and {t for _, t in seen} == {80}


def test_attachments_found_in_protocol_subfolders(db: Database, tmp_path: Path) -> None:
    """Files may sit in a sub-folder named after the protocol; a missing one is flagged and kept by name."""
    records = sample_records()[:4]
    records[3][15] = "PG_103-2018_proposta.pdf | PG_103-2018_budget.pdf"
    folder = tmp_path / "allegati"
    (folder / "PG_101-2018").mkdir(parents=True)
    (folder / "pg 102_2018").mkdir()
    (folder / "PG_101-2018" / "PG_101-2018_proposta.pdf").write_bytes(b"%PDF-1.4 uno")
    (folder / "pg 102_2018" / "PG_102-2018_proposta.pdf").write_bytes(b"%PDF-1.4 uno")
    (folder / "PG_103-2018_proposta.pdf").write_bytes(b"%PDF-1.4 tre")
    with db.sessions.begin() as s:
        result = import_domande(s, write_csv(tmp_path / "d.csv", records), allegati=folder)
    assert result.imported == 3
    with db.sessions() as s:
        rows = {(a.domanda.protocol, a.filename, a.sha256 is not None) for a in s.scalars(select(Allegato))}
        assert rows == {
            ("PG 101/2018", "PG_101-2018_proposta.pdf", True),
            ("PG 102/2018", "PG_102-2018_proposta.pdf", True),
            ("PG 103/2018", "PG_103-2018_proposta.pdf", True),
            ("PG 103/2018", "PG_103-2018_budget.pdf", False),
        }
        assert s.scalar(select(func.count()).select_from(Blob)) == 2  # identical bytes stored once
        flag = s.scalars(select(Flag)).one()
        assert flag.rule == "allegato_mancante" and "PG_103-2018_budget.pdf" in flag.detail
        assert flag.domanda.protocol == "PG 103/2018"


def test_missing_attachment_folder_refuses_file(db: Database, tmp_path: Path) -> None:
    """Naming an attachment folder that does not exist is an error, not 40 missing-file flags."""
    with pytest.raises(ImportRefusedError, match="cartella"):
        plan(db, SAMPLE, allegati=tmp_path / "non-esiste")


def test_table_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    """Row numbers are those a spreadsheet shows: the header is row 1 and blank lines still count."""
    records = sample_records()[:3]
    path = tmp_path / "vuote.csv"
    path.write_text(
        ";".join(records[0]) + "\n\n" + ";".join(records[1]) + "\n" + ";".join(records[2]) + "\n", encoding="utf-8"
    )
    assert [n for n, _ in read_table(path).rows] == [3, 4]


def test_zones_stored_for_every_matched_row(db: Database) -> None:
    """Every application whose zone was recognised points to the zone row of the call."""
    with db.sessions.begin() as s:
        import_domande(s, SAMPLE, skip_invalid=True)
    with db.sessions() as s:
        numbers = {d.protocol: (d.zona.number if d.zona else None) for d in s.scalars(select(Domanda))}
        assert sum(1 for n in numbers.values() if n is None) == 1 and numbers["PG 108/2018"] is None
        assert s.scalar(select(func.count()).select_from(ZonaRow)) == 4


def test_plan_is_pure(db: Database) -> None:
    """Planning reads the existing protocols it is given and writes nothing."""
    before = dump(db)
    from valutazione.db import load_rules

    with db.sessions() as s:
        bando = load_rules(s)
    report = plan_import(read_table(SAMPLE), bando, {})
    assert len(report.domande) == 38
    assert dump(db) == before


@pytest.mark.parametrize(
    ("submitted", "total", "grant", "cofinancing", "rules"),
    [
        ("01/03/2018 12:00", "50.000,00", "45.000,00", "5.000,00", set()),
        ("01/03/2018 12:01", "50.000,00", "45.000,00", "5.000,00", {"fuori_termine"}),
        ("01/03/2018 11:59:59", "55.600,00", "50.000,00", "5.600,00", set()),
        ("28/02/2018 10:00", "50.000,00", "45.000,01", "4.999,99", {"cofinanziamento_insufficiente"}),
        ("28/02/2018 10:00", "55.600,01", "50.000,01", "5.600,00", {"oltre_massimale"}),
    ],
)
def test_rule_boundaries(
    db: Database, tmp_path: Path, submitted: str, total: str, grant: str, cofinancing: str, rules: set[str]
) -> None:
    """On the deadline, at the cap and at exactly the minimum co-financing a row is in order; one step past is not."""
    records = sample_records()[:2]
    records[1][1], records[1][10], records[1][11], records[1][12] = submitted, total, grant, cofinancing
    report = plan(db, write_csv(tmp_path / "limiti.csv", records))
    assert {f.rule for f in report.domande[0].flags} == rules
