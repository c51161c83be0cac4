"""Hostile files from outside (issue 14, point 3): each attack once reproduced is refused with an Italian message.

The inputs live in ``corpus/`` (replayed also by ``test_corpus.py``) or are built here when they are
special files (links, FIFOs, devices) or too large to keep.
"""

from __future__ import annotations

import dataclasses
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.reliability import readers, scenario
from tests.reliability.test_fuzz_inputs import VALID_ROW, xlsx_bytes
from valutazione.bando import Bando, parse_bando
from valutazione.db import Database, create_database
from valutazione.errors import BandoError, ImportRefusedError
from valutazione.importers.domande import import_domande
from valutazione.importers.report import ImportReport
from valutazione.importers.table import MAX_ROWS, MAX_XLSX_UNCOMPRESSED, read_table
from valutazione.importers.textfile import MAX_IMPORT_BYTES
from valutazione.models import Blob, Domanda

CORPUS = readers.CORPUS


@pytest.fixture
def chair_file(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    db = create_database(tmp_path / "presidente.valutazione", milano)
    scenario.committee_file(db, 3)
    yield db
    db.close()


def refused(db: Database, path: Path, **kwargs: object) -> str:
    """The refusal message of importing ``path``; the file must be left as it was."""
    outcome = readers.in_transaction(db, lambda s: import_domande(s, path, actor=scenario.CHAIR, **kwargs))
    assert not outcome.accepted, f"«{path.name}» was imported"
    return outcome.message


def dry_run(db: Database, path: Path, **kwargs: object) -> ImportReport:
    with readers.no_hang(), db.sessions.begin() as s:
        return import_domande(s, path, dry_run=True, **kwargs).report  # type: ignore[arg-type]


def csv_of(path: Path, rows: list[list[str]]) -> Path:
    lines = [";".join(scenario.HEADER), *(";".join(r) for r in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def row(n: int, attachments: str = "") -> list[str]:
    cells = list(VALID_ROW)
    cells[0], cells[-1] = f"PG {n}/2018", attachments
    return cells


# --- encodings, hidden characters, headers -------------------------------------------------------


def test_mixed_encoding_refused_naming_the_lines(chair_file: Database) -> None:
    """A UTF-8 export with one Windows-1252 line is refused naming that line, not decoded as mojibake."""
    message = refused(chair_file, CORPUS / "domande" / "codifica-mista.csv")
    assert "mescola due codifiche" in message and "alla riga 4 del file" in message


def test_control_and_bidi_characters_refused_by_row_and_field(chair_file: Database) -> None:
    """NUL, terminal escapes and direction overrides are never stored: the row is refused naming the field."""
    report = dry_run(chair_file, CORPUS / "domande" / "caratteri-nascosti.csv")
    found = {(r.row, r.field): r.reason for r in report.refused}
    assert set(found) == {(3, "denominazione"), (4, "titolo"), (5, "pec"), (6, "abstract")}
    assert "U+0000 (NUL)" in found[(3, "denominazione")] and "U+001B" in found[(4, "titolo")]
    assert "direzione del testo (U+202E)" in found[(5, "pec")] and "U+2066" in found[(6, "abstract")]
    assert [d.row for d in report.domande] == [2]
    refused(chair_file, CORPUS / "domande" / "caratteri-nascosti.csv")


def test_duplicated_header_refused_naming_the_column(chair_file: Database) -> None:
    """Two columns with one name are refused: which one holds the amount cannot be known."""
    message = refused(chair_file, CORPUS / "domande" / "intestazione-doppia.csv")
    assert "«Contributo richiesto» compare due volte" in message and "colonne 12 e 13" in message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("codifica-mista.csv", "è UTF-8 tranne alla riga 3 del file"),
        ("caratteri-nascosti.csv", "riga 3, campo Motivazione: contiene un carattere che inverte"),
        ("intestazione-doppia.csv", "la colonna «Coefficiente» compare due volte (colonne 4 e 6)"),
    ],
)
def test_scores_file_hostile_text_refused(chair_file: Database, name: str, expected: str) -> None:
    """The bulk scores reader keeps the same rules: one encoding, no hidden characters, no repeated column."""
    outcome = readers.feed_punteggi(chair_file, (CORPUS / "punteggi" / name).read_bytes())
    assert not outcome.accepted and expected in outcome.message
    if name == "caratteri-nascosti.csv":
        assert "riga 4, campo Motivazione: contiene un carattere di controllo U+001B" in outcome.message


def test_scores_file_missing_or_special_refused(chair_file: Database, tmp_path: Path) -> None:
    """A missing scores file or a FIFO gives a message, never a traceback or a hang."""
    from valutazione.services.scores_csv import import_scores

    fifo = tmp_path / "punteggi.csv"
    os.mkfifo(fifo)
    for path in (tmp_path / "assente.csv", fifo):
        outcome = readers.in_transaction(chair_file, lambda s, p=path: import_scores(s, p, scenario.CHAIR))
        assert not outcome.accepted and str(path.name) in outcome.message


# --- size and memory bounds ----------------------------------------------------------------------


def test_too_many_rows_refused_with_the_limit(chair_file: Database, tmp_path: Path) -> None:
    """A file with more applications than an import takes is refused, naming the limit."""
    path = tmp_path / "enorme.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(scenario.HEADER) + "\n")
        for n in range(MAX_ROWS + 1):
            fh.write(f"PG {n}/2018;x\n")
    assert "più di 50.000 domande" in refused(chair_file, path)


def test_oversized_file_refused_before_reading(chair_file: Database, tmp_path: Path) -> None:
    """A file above the size limit is refused from its size alone (a sparse file: nothing to read)."""
    path = tmp_path / "grande.csv"
    with path.open("wb") as fh:
        fh.truncate(MAX_IMPORT_BYTES + 1)
    assert "oltre il limite di 50,0 MB" in refused(chair_file, path)


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "folder"])
def test_special_files_refused_without_reading(chair_file: Database, tmp_path: Path, kind: str) -> None:
    """/dev/zero, a FIFO or a folder given as the export are refused at once (no endless read, no hang)."""
    path = tmp_path / "domande.csv"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    assert "non è un file ordinario" in refused(chair_file, path)


def _rewrite_entry(data: bytes, name: str, write: object, target: Path) -> Path:
    """A copy of the zip ``data`` whose entry ``name`` is produced by ``write(stream)``."""
    source = zipfile.ZipFile(__import__("io").BytesIO(data))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == name:
                with out.open(name, "w", force_zip64=True) as stream:
                    write(stream)  # type: ignore[operator]
            else:
                out.writestr(info, source.read(info))
    return target


def test_xlsx_bomb_refused_from_its_zip_directory(chair_file: Database, tmp_path: Path) -> None:
    """A small XLSX that unpacks to over the limit is refused before openpyxl parses a byte of it."""
    data = xlsx_bytes([list(scenario.HEADER), row(1)])
    assert data is not None

    def sheet(stream: object) -> None:
        write = stream.write  # type: ignore[attr-defined]
        write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        chunk = b"<row><c><v>1</v></c></row>" * 2000  # rows without numbers: compresses a thousandfold
        for _ in range(MAX_XLSX_UNCOMPRESSED // len(chunk) + 2):
            write(chunk)
        write(b"</sheetData></worksheet>")

    path = _rewrite_entry(data, "xl/worksheets/sheet1.xml", sheet, tmp_path / "bomba.xlsx")
    assert path.stat().st_size < 1024 * 1024  # the reported attack: an 820 KB workbook
    assert "una volta decompresso, oltre il limite" in refused(chair_file, path)


def test_xlsx_declared_dimension_does_not_pad_rows(tmp_path: Path) -> None:
    """A sheet declaring A1:XFD3 is read as the cells it holds, not as 16,384 columns per row."""
    data = xlsx_bytes([list(scenario.HEADER), row(1)])
    assert data is not None
    original = zipfile.ZipFile(__import__("io").BytesIO(data)).read("xl/worksheets/sheet1.xml")
    start = original.index(b"<dimension")
    end = original.index(b"/>", start) + 2
    patched = original[:start] + b'<dimension ref="A1:XFD3"/>' + original[end:]
    path = _rewrite_entry(data, "xl/worksheets/sheet1.xml", lambda s: s.write(patched), tmp_path / "d.xlsx")
    table = read_table(path)
    assert len(table.headers) == len(scenario.HEADER)
    assert all(len(cells) <= len(scenario.HEADER) for _, cells in table.rows)


# --- attachments ---------------------------------------------------------------------------------


@pytest.fixture
def small_limit_file(tmp_path: Path, milano: Bando) -> Iterator[Database]:
    db = create_database(tmp_path / "limite.valutazione", dataclasses.replace(milano, attachment_max_mb=1))
    yield db
    db.close()


def test_attachment_link_outside_the_folder_refused(chair_file: Database, tmp_path: Path) -> None:
    """A link found by the name search that points outside the folder is refused, naming file and row."""
    secret = tmp_path / "segreto.txt"
    secret.write_text("chiave privata", encoding="utf-8")
    folder = tmp_path / "allegati"
    (folder / "PG_1-2018").mkdir(parents=True)
    (folder / "PG_1-2018" / "relazione.pdf").symlink_to(secret)
    (folder / "PG_2-2018").mkdir()
    (folder / "PG_2-2018" / "buono.pdf").write_bytes(b"%PDF-1.4 buono")
    path = csv_of(tmp_path / "d.csv", [row(1, "relazione.pdf"), row(2, "buono.pdf")])
    report = dry_run(chair_file, path, allegati=folder)
    assert [(r.row, r.field) for r in report.refused] == [(2, "allegati")]
    assert "«relazione.pdf» rifiutato: è un collegamento a un file fuori" in report.refused[0].reason
    assert "Riga 2" not in report.refused[0].reason and report.refused_rows == (2,)
    message = refused(chair_file, path, allegati=folder)
    assert "righe 2" in message
    with chair_file.sessions.begin() as s:
        import_domande(s, path, allegati=folder, skip_invalid=True, actor=scenario.CHAIR)
    with chair_file.sessions() as s:
        stored = set(s.scalars(select(Blob.data)))
    assert b"chiave privata" not in stored and b"%PDF-1.4 buono" in stored


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "too-large"])
def test_attachment_special_or_large_file_refused(small_limit_file: Database, tmp_path: Path, kind: str) -> None:
    """/dev/zero, a FIFO or a file above the call's limit are refused without reading, naming file and row."""
    folder = tmp_path / "allegati"
    folder.mkdir()
    target = folder / "allegato.pdf"
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        with target.open("wb") as fh:
            fh.truncate(1024 * 1024 + 1)
    path = csv_of(tmp_path / "d.csv", [row(1, "allegato.pdf")])
    report = dry_run(small_limit_file, path, allegati=folder)
    assert [(r.row, r.field) for r in report.refused] == [(2, "allegati")]
    expected = {"dev-zero": "fuori dalla cartella", "fifo": "non è un file ordinario"}.get(kind, "oltre il limite")
    assert "«allegato.pdf»" in report.refused[0].reason and expected in report.refused[0].reason


def test_attachment_swapped_for_a_fifo_after_planning(chair_file: Database, tmp_path: Path) -> None:
    """A file replaced by a FIFO between plan and write refuses the import naming the row; nothing written."""
    from valutazione.db import load_rules
    from valutazione.importers.domande import apply_import, existing_domande, plan_import
    from valutazione.importers.table import read_table as read

    folder = tmp_path / "allegati"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF")
    path = csv_of(tmp_path / "d.csv", [row(1, "a.pdf")])
    with chair_file.sessions() as s:
        report = plan_import(read(path), load_rules(s), existing_domande(s), allegati=folder)
    assert not report.refused
    (folder / "a.pdf").unlink()
    os.mkfifo(folder / "a.pdf")
    outcome = readers.in_transaction(chair_file, lambda s: apply_import(s, report, actor=scenario.CHAIR))
    assert not outcome.accepted and "Riga 2" in outcome.message and "«a.pdf»" in outcome.message
    with chair_file.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Domanda).where(Domanda.protocol == "PG 1/2018")) == 0


def test_call_file_attachment_limit_key(milano: Bando) -> None:
    """The call's optional attachment limit is validated, defaults to 50 MB and survives storage."""
    from valutazione.bando import bando_from_json, default_template

    text = default_template().read_text(encoding="utf-8")
    assert milano.attachment_max_bytes == 50 * 1024 * 1024
    assert "allegato_dimensione_massima_mb" not in milano.to_json()
    line = "soccorso_istruttorio_giorni = 10\n"
    custom = parse_bando(text.replace(line, line + "allegato_dimensione_massima_mb = 5\n"), "b.toml")
    assert custom.attachment_max_mb == 5 and bando_from_json(custom.to_json()) == custom
    for bad in ("0", '"5"', "5000"):
        with pytest.raises(BandoError, match="bando.allegato_dimensione_massima_mb"):
            parse_bando(text.replace(line, line + f"allegato_dimensione_massima_mb = {bad}\n"), "b.toml")


def test_import_refusal_is_an_import_error() -> None:
    """Every refusal above is an ImportRefusedError, which the CLI and GUI show as a message."""
    with pytest.raises(ImportRefusedError, match="non è un file ordinario"):
        read_table(Path("/dev/zero"))


def test_utf16_export_refused_with_the_remedy(chair_file: Database, tmp_path: Path) -> None:
    """A UTF-16 export is refused saying how to save it, not read as Windows-1252 full of NUL bytes."""
    path = tmp_path / "unicode.csv"
    path.write_bytes(("\r\n".join([";".join(scenario.HEADER), ";".join(row(1))]) + "\r\n").encode("utf-16"))
    assert "è in UTF-16" in refused(chair_file, path)
