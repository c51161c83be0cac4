"""A platform export as a plain table: headers, rows with their spreadsheet row number, the file's hash.

Submission platforms export CSV (``;`` or ``,``, UTF-8 with or without BOM, sometimes Windows-1252) or
XLSX, and name their columns as they please. This module turns any of them into the same ``Table`` and
finds which column holds which field, so the rules in ``domande.py`` never care where the data came from.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from valutazione.errors import ImportRefusedError, os_error_reason
from valutazione.importers.parsing import normalise_words
from valutazione.importers.textfile import check_regular_file, detect_encoding, sha256_of, unsafe_character

# Canonical fields, in the order of the reference export (docs/regole.md § 3), with the headers other
# platforms use for them. The first alias is the reference header.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "protocollo": (
        "Protocollo",
        "N. protocollo",
        "Numero protocollo",
        "Nr protocollo",
        "N° protocollo",
        "Protocollo domanda",
        "ID domanda",
        "Codice domanda",
    ),
    "data_invio": (
        "Data invio",
        "Data di invio",
        "Data e ora invio",
        "Data protocollo",
        "Data presentazione",
        "Data ricezione",
        "Data invio domanda",
        "Timestamp",
    ),
    "denominazione": (
        "Denominazione",
        "Ragione sociale",
        "Denominazione ente",
        "Soggetto proponente",
        "Proponente",
        "Ente proponente",
        "Nome ente",
    ),
    "forma_giuridica": ("Forma giuridica", "Natura giuridica", "Tipologia ente", "Tipo ente"),
    "codice_fiscale": ("Codice fiscale", "CF", "C.F.", "Cod. fiscale", "Codice fiscale ente"),
    "partita_iva": ("Partita IVA", "P. IVA", "P.IVA", "PIVA"),
    "legale_rappresentante": ("Legale rappresentante", "Rappresentante legale", "Legale rapp."),
    "pec": ("PEC", "Indirizzo PEC", "E-mail", "Email", "Posta elettronica certificata", "Email PEC"),
    "titolo": ("Titolo progetto", "Titolo", "Titolo del progetto", "Nome progetto", "Progetto"),
    "zona": ("Zona", "Zona bersaglio", "Quartiere", "Zona di intervento", "Area di intervento"),
    "lotto": ("Lotto", "Linea", "Ambito", "Linea di intervento", "Ambito di intervento", "Lotto di partecipazione"),
    "tipo_progetto": ("Tipo progetto", "Tipo di progetto", "Tipologia progetto", "Tipologia di progetto"),
    "costo_totale": (
        "Costo totale",
        "Costo complessivo",
        "Costo totale progetto",
        "Importo totale",
        "Budget totale",
        "Valore progetto",
    ),
    "contributo": (
        "Contributo richiesto",
        "Importo richiesto",
        "Contributo",
        "Finanziamento richiesto",
        "Richiesta contributo",
    ),
    "cofinanziamento": (
        "Cofinanziamento",
        "Co-finanziamento",
        "Quota cofinanziamento",
        "Cofinanziamento proponente",
        "Quota a carico del proponente",
    ),
    "durata_mesi": ("Durata mesi", "Durata", "Durata in mesi", "Durata progetto (mesi)"),
    "abstract": ("Abstract", "Sintesi", "Sintesi progetto", "Descrizione", "Descrizione sintetica"),
    "allegati": ("Allegati", "File allegati", "Elenco allegati", "Documenti"),
}

REQUIRED_COLUMNS = (
    "protocollo",
    "data_invio",
    "denominazione",
    "titolo",
    "costo_totale",
    "contributo",
    "cofinanziamento",
)

Cell = object  # str from CSV; str, int, float, datetime or None from XLSX


@dataclass(frozen=True)
class Table:
    """Rows as read, each with the number a spreadsheet shows for it (the header row is row 1)."""

    filename: str
    sha256: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


MAX_ROWS = 50_000  # applications in one file: ten times the largest call the product is sized for
MAX_COLUMNS = 200
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # the unpacked workbook, checked in the zip before parsing
MAX_XLSX_ENTRIES = 2_000


def read_table(path: str | Path) -> Table:
    """Reads a CSV or XLSX export, streamed and within limits; raises ``ImportRefusedError`` with the reason.

    Limits are checked while reading, never after: the size before the first byte, the unpacked size of
    a workbook before openpyxl sees it, the number of rows as they come. A file beyond them is refused
    early with a message, so memory stays bounded whatever arrives (a million-row file is refused at
    row ``MAX_ROWS + 1``).
    """
    path = Path(path)
    check_regular_file(path)
    try:
        with open(path, "rb") as fh:
            is_zip = fh.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise ImportRefusedError(f"Impossibile leggere «{path}»: {os_error_reason(exc)}") from exc
    if is_zip or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _collect(path, sha256_of(path), _xlsx_records(path))
    try:
        with open(path, "rb") as fh:
            encoding = detect_encoding(fh, path.name)
        with open(path, encoding=encoding.codec, newline="") as text:
            return _collect(path, encoding.sha256, _csv_records(text))
    except OSError as exc:
        raise ImportRefusedError(f"Impossibile leggere «{path}»: {os_error_reason(exc)}") from exc


def _collect(path: Path, digest: str, records: Iterator[list[Cell]]) -> Table:
    """Header and non-empty rows, numbered as a spreadsheet shows them, refused past the limits."""
    header: tuple[Cell, ...] | None = None
    body: list[tuple[int, tuple[Cell, ...]]] = []
    for index, record in enumerate(records):
        if not any(_filled(c) for c in record):
            continue
        if len(record) > MAX_COLUMNS:
            if not any(_filled(c) for c in record[MAX_COLUMNS:]):
                record = record[:MAX_COLUMNS]  # empty cells a sheet's formatting drags along carry nothing
        if len(record) > MAX_COLUMNS:
            raise ImportRefusedError(
                f"«{path.name}», riga {index + 1}: più di {MAX_COLUMNS} colonne; un export di domande ne ha "
                "qualche decina. File non importato."
            )
        if header is None:
            header = tuple(record)
            continue
        if len(body) >= MAX_ROWS:
            raise ImportRefusedError(
                f"«{path.name}» contiene più di {MAX_ROWS:,} domande (limite di un'importazione): "
                "nessuna domanda importata; dividere il file in parti più piccole.".replace(",", ".")
            )
        body.append((index + 1, tuple(record)))
    if header is None:
        raise ImportRefusedError(f"«{path.name}» è vuoto: nessuna intestazione di colonne.")
    headers = tuple("" if h is None else str(h).strip().lstrip("\ufeff") for h in header)
    _check_headers(path.name, headers)
    return Table(path.name, digest, headers, tuple(body))


def _check_headers(name: str, headers: tuple[str, ...]) -> None:
    """Refuses a header holding hidden characters, or naming one column twice (which one is meant?)."""
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        found = unsafe_character(header)
        if found is not None:
            raise ImportRefusedError(f"«{name}», intestazione della colonna {number}: contiene {found}.")
        key = normalise_header(header)
        if not key:
            continue
        if key in seen:
            raise ImportRefusedError(
                f"«{name}»: la colonna «{header}» compare due volte nell'intestazione (colonne {seen[key]} e "
                f"{number}); non è possibile sapere quale usare. Rinominare o eliminare una delle due."
            )
        seen[key] = number


def _filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def sniff_delimiter(line: str) -> str:
    """The separator is the one the header line uses most: headers hold no amounts with commas."""
    counts = {d: line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_records(text: TextIO) -> Iterator[list[Cell]]:
    first = ""
    while not first.strip():
        first = text.readline()
        if not first:
            break
    text.seek(0)
    reader = csv.reader(text, delimiter=sniff_delimiter(first))
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportRefusedError(f"CSV non leggibile alla riga {reader.line_num}: {exc}") from exc
    except UnicodeDecodeError as exc:  # cannot happen after detect_encoding, unless the file changed
        raise ImportRefusedError(f"Il file è cambiato durante la lettura: {exc}") from exc


def _check_zip(path: Path) -> None:
    """The workbook's unpacked size and entry count, read from the zip directory before any parsing.

    openpyxl would unpack a few hundred kilobytes of highly compressible XML into gigabytes; the sizes
    the directory declares bound what ``zipfile`` will ever produce, so checking them is enough.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefusedError(f"«{path.name}» non è un file Excel leggibile: {exc}") from exc
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ImportRefusedError(f"«{path.name}» contiene {len(entries)} parti: non è un export di domande.")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise ImportRefusedError(
            f"«{path.name}» occupa {unpacked // (1024 * 1024)} MB una volta decompresso, oltre il limite di "
            f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB: file non importato (troppo grande o costruito "
            "per esaurire la memoria)."
        )


def _xlsx_records(path: Path) -> Iterator[list[Cell]]:
    """The first sheet, values only, streamed (read-only mode); openpyxl is imported here (most imports are CSV)."""
    _check_zip(path)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
        raise ImportRefusedError(f"«{path.name}» non è un file Excel leggibile: {exc}") from exc
    try:
        sheet = wb.worksheets[0] if wb.worksheets else None
        if sheet is None or not hasattr(sheet, "iter_rows"):
            raise ImportRefusedError(f"«{path.name}»: il primo foglio non contiene una tabella.")
        # One column past the limit, so a value out there is seen and refused instead of dropped; without
        # ``max_col`` a declared dimension of A1:XFD1 pads every row to 16,384 cells.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except ImportRefusedError:
                raise
            except Exception as exc:
                raise ImportRefusedError(f"«{path.name}» non è un file Excel leggibile: {exc}") from exc
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()  # padding up to the declared dimension (A1:XFD…), not content
            yield cells
    finally:
        wb.close()


def normalise_header(text: str) -> str:
    return normalise_words(text)


def resolve_columns(headers: tuple[str, ...], explicit: Mapping[str, str] | None = None) -> dict[str, int]:
    """Field → column index. An explicit ``{field: header}`` mapping wins; the rest is found by alias.

    A required column that cannot be found refuses the whole file: without it no row can be read.
    """
    normalised = [normalise_header(h) for h in headers]
    columns: dict[str, int] = {}
    for field, header in (explicit or {}).items():
        if field not in FIELD_ALIASES:
            raise ImportRefusedError(
                f"Campo «{field}» sconosciuto nella mappatura delle colonne; "
                f"campi possibili: {', '.join(FIELD_ALIASES)}."
            )
        try:
            columns[field] = normalised.index(normalise_header(header))
        except ValueError:
            raise ImportRefusedError(f"La colonna «{header}» indicata per «{field}» non è nel file.") from None
    taken = set(columns.values())
    for field, aliases in FIELD_ALIASES.items():
        if field in columns:
            continue
        for alias in aliases:  # earlier aliases are stronger evidence than later ones
            key = normalise_header(alias)
            index = next((i for i, h in enumerate(normalised) if h == key and i not in taken), None)
            if index is not None:
                columns[field] = index
                taken.add(index)
                break
    missing = [FIELD_ALIASES[f][0] for f in REQUIRED_COLUMNS if f not in columns]
    if missing:
        raise ImportRefusedError(
            f"Colonne obbligatorie non trovate: {', '.join(missing)}. "
            f"Intestazioni del file: {', '.join(h for h in headers if h) or '(nessuna)'}. "
            "Indicare a quale colonna corrisponde ciascun campo."
        )
    return columns
