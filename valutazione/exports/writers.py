"""Writing tables for Italian offices: CSV for Excel, XLSX with real numbers, and JSON.

Excel in an Italian locale opens a CSV correctly only with ``;`` as separator, a BOM to recognise UTF-8
and a decimal comma; thousands separators are left out so the numbers are read back as numbers. The
XLSX keeps numbers as numbers (never text) with € and two-decimal formats, a frozen header and column
widths; openpyxl is imported only here, when an XLSX is actually written.

Every text cell comes from outside (applicants' names and titles, members' reasons) and is read by
spreadsheets, which run a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return
before one) as a formula: ``=HYPERLINK(…)`` leaks data, ``+cmd|…`` starts programs (CWE-1236). So
:func:`is_formula_like` is the one test for every writer: in CSV such a cell gets a leading apostrophe
(OWASP's advice), in XLSX it is stored as a text cell with Excel's quote prefix, never as a formula.
Numbers we compute ourselves are typed cells and stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from valutazione.exports.tables import Cell, Money, Sheet
from valutazione.money import format_decimal_it

EURO_FORMAT = '"€" #,##0.00'
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")  # with the full-width forms
POINTS_FORMAT = "0.00"
MAX_WIDTH = 60


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (also after leading spaces it trims)."""
    stripped = text.lstrip(" \u00a0")
    return bool(text) and (text[0] in FORMULA_STARTS or stripped[:1] in FORMULA_STARTS)


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it without running it: a leading apostrophe when formula-like."""
    return "'" + text if is_formula_like(text) else text


def _number_text(value: Decimal) -> str:
    places = 2 if isinstance(value, Money) else max(2, -int(value.as_tuple().exponent))
    return format_decimal_it(value, places, thousands=False)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def csv_bytes(sheet: Sheet) -> bytes:
    """One view as Italian-Excel CSV: ``;``, UTF-8 with BOM, decimal comma, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralised(h) for h in sheet.header])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    if sheet.notes:  # below the table, after an empty line, one note per line in the first column
        writer.writerow([])
        for note in sheet.notes:
            writer.writerow([neutralised(note)])
    return buffer.getvalue().encode("utf-8-sig")


def _json_cell(value: Cell) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def json_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The views as JSON: decimals as exact strings, each row an object keyed by the header."""
    content = {
        sheet.title: {
            **({"info": sheet.meta} if sheet.meta else {}),
            **({"note": list(sheet.notes)} if sheet.notes else {}),
            "righe": [dict(zip(sheet.header, (_json_cell(v) for v in row), strict=True)) for row in sheet.rows],
        }
        for sheet in sheets
    }
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One worksheet per view, numbers as numbers with € or 2-decimal formats, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        for col, text in enumerate(sheet.header, start=1):
            cell = ws.cell(1, col)
            _put(cell, text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E3E8EE")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths = [len(h) for h in sheet.header]
        for excel_row, row in enumerate(sheet.rows, start=2):
            for col, value in enumerate(row, start=1):
                _put(ws.cell(excel_row, col), value)
                widths[col - 1] = max(widths[col - 1], len(_csv_cell(value)) + (2 if isinstance(value, Money) else 0))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for offset, note in enumerate(sheet.notes, start=len(sheet.rows) + 3):  # after an empty row
            _put(ws.cell(offset, 1), note)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, value: Cell) -> None:
    """One typed cell: numbers as numbers with their format, text always as text, never a formula.

    openpyxl turns any string starting with ``=`` into a formula, so the type is forced back to text
    (``s``) after the value is set; formula-like text also gets the quote prefix, so that editing the
    cell in Excel does not turn it into a formula either. Characters XML cannot hold are replaced.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return
    if isinstance(value, Decimal):
        cell.value = float(value)
        cell.number_format = EURO_FORMAT if isinstance(value, Money) else POINTS_FORMAT
        return
    if isinstance(value, int):
        cell.value = value
        return
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Writes through a temporary file and renames, so a failed export never leaves half a file."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk or a folder in the way: nothing half-written stays behind
        raise
    return out
