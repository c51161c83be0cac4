"""A platform export as a plain table: headers, rows with their spreadsheet row number, the file's hash.

Submission platforms export CSV (``;`` or ``,``, UTF-8 with or without BOM, sometimes Windows-1252) or
XLSX, and name their columns as they please. This module turns any of them into the same ``Table`` and
finds which column holds which field, so the rules in ``domande.py`` never care where the data came from.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from valutazione.errors import ImportRefusedError
from valutazione.importers.parsing import normalise_words

# Canonical fields, in the order of the reference export (docs/regole.md § 3), with the headers other
# platforms use for them. The first alias is the reference header.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "protocollo": ("Protocollo", "N. protocollo", "Numero protocollo", "Nr protocollo", "N° protocollo",
                   "Protocollo domanda", "ID domanda", "Codice domanda"),
    "data_invio": ("Data invio", "Data di invio", "Data e ora invio", "Data protocollo", "Data presentazione",
                   "Data ricezione", "Data invio domanda", "Timestamp"),
    "denominazione": ("Denominazione", "Ragione sociale", "Denominazione ente", "Soggetto proponente",
                      "Proponente", "Ente proponente", "Nome ente"),
    "forma_giuridica": ("Forma giuridica", "Natura giuridica", "Tipologia ente", "Tipo ente"),
    "codice_fiscale": ("Codice fiscale", "CF", "C.F.", "Cod. fiscale", "Codice fiscale ente"),
    "partita_iva": ("Partita IVA", "P. IVA", "P.IVA", "PIVA"),
    "legale_rappresentante": ("Legale rappresentante", "Rappresentante legale", "Legale rapp."),
    "pec": ("PEC", "Indirizzo PEC", "E-mail", "Email", "Posta elettronica certificata", "Email PEC"),
    "titolo": ("Titolo progetto", "Titolo", "Titolo del progetto", "Nome progetto", "Progetto"),
    "zona": ("Zona", "Zona bersaglio", "Quartiere", "Zona di intervento", "Area di intervento"),
    "costo_totale": ("Costo totale", "Costo complessivo", "Costo totale progetto", "Importo totale",
                     "Budget totale", "Valore progetto"),
    "contributo": ("Contributo richiesto", "Importo richiesto", "Contributo", "Finanziamento richiesto",
                   "Richiesta contributo"),
    "cofinanziamento": ("Cofinanziamento", "Co-finanziamento", "Quota cofinanziamento",
                        "Cofinanziamento proponente", "Quota a carico del proponente"),
    "durata_mesi": ("Durata mesi", "Durata", "Durata in mesi", "Durata progetto (mesi)"),
    "abstract": ("Abstract", "Sintesi", "Sintesi progetto", "Descrizione", "Descrizione sintetica"),
    "allegati": ("Allegati", "File allegati", "Elenco allegati", "Documenti"),
}

REQUIRED_COLUMNS = ("protocollo", "data_invio", "denominazione", "titolo", "costo_totale", "contributo",
                    "cofinanziamento")

Cell = object  # str from CSV; str, int, float, datetime or None from XLSX


@dataclass(frozen=True)
class Table:
    """Rows as read, each with the number a spreadsheet shows for it (the header row is row 1)."""

    filename: str
    sha256: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def read_table(path: str | Path) -> Table:
    """Reads a CSV or XLSX export; raises ``ImportRefusedError`` when the file cannot be read at all."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefusedError(f"Impossibile leggere «{path}»: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        records = _xlsx_records(data, path)
    else:
        records = _csv_records(data)
    numbered = [(i + 1, tuple(r)) for i, r in enumerate(records) if any(_filled(c) for c in r)]
    if not numbered:
        raise ImportRefusedError(f"«{path.name}» è vuoto: nessuna intestazione di colonne.")
    (_, header), *body = numbered
    headers = tuple("" if h is None else str(h).strip().lstrip("\ufeff") for h in header)
    return Table(path.name, digest, headers, tuple(body))


def _filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or, when that fails, Windows-1252 as older Italian Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The separator is the one the header line uses most: headers hold no amounts with commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_records(data: bytes) -> list[list[Cell]]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(f"Il file non è un testo UTF-8 valido: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return [list(r) for r in reader]
    except csv.Error as exc:
        raise ImportRefusedError(f"CSV non leggibile alla riga {reader.line_num}: {exc}") from exc


def _xlsx_records(data: bytes, path: Path) -> list[list[Cell]]:
    """The first sheet, values only; openpyxl is imported here because most imports are CSV."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
        raise ImportRefusedError(f"«{path.name}» non è un file Excel leggibile: {exc}") from exc
    try:
        sheet = wb.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
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
            raise ImportRefusedError(
                f"La colonna «{header}» indicata per «{field}» non è nel file."
            ) from None
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
