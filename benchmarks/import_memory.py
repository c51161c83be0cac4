"""Peak memory of reading hostile or huge application exports (issue 14: bounded whatever the size).

Usage: ``.venv/bin/python benchmarks/import_memory.py [WORKDIR]``. Each case runs in a fresh interpreter
and reports its peak resident memory (``ru_maxrss``) and how the file ended: planned, or refused with
the message the user reads. Not a test: figures go to ``tests/reliability/README.md``.

Cases: a million complete rows (about 250 MB, refused by its size before reading); a million short
rows that fit the size limit (refused at row 50,001 while streaming); the largest accepted file
(50,000 complete rows, planned in full); an 820 KB workbook that unpacks to over 100 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = (
    "Protocollo;Data invio;Denominazione;Forma giuridica;Codice fiscale;Partita IVA;Legale rappresentante;PEC;"
    "Titolo progetto;Zona;Costo totale;Contributo richiesto;Cofinanziamento;Durata mesi;Abstract;Allegati"
)
ROW = (
    "PG {n}/2018;17/02/2018 12:07;Cooperativa Sociale Il Giambellino {n};Cooperativa sociale;88833000156;;"
    "Paolo El Amrani;ilgiambellino@pec.it;Orti condivisi nel quartiere {n};Lorenteggio – Giambellino;56.460,00;"
    "44.504,00;11.956,00;24;Un abstract di qualche riga che descrive il progetto numero {n} e i suoi obiettivi.;"
)

CHILD = """
import json, resource, sys, time
from valutazione.bando import default_template, load_bando
from valutazione.errors import ValutazioneError
from valutazione.importers.domande import plan_import, read_table
start = time.perf_counter()
try:
    report = plan_import(read_table(sys.argv[1]), load_bando(default_template()), {})
    outcome = f"pianificate {len(report.domande)} domande, {len(report.refused)} rifiuti"
except ValutazioneError as exc:
    outcome = f"rifiutato: {exc}"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"peak_mb": peak, "seconds": round(time.perf_counter() - start, 1), "outcome": outcome}))
"""


def write_rows(path: Path, count: int, row: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for n in range(1, count + 1):
            fh.write(row.format(n=n) + "\r\n")
    return path


def write_bomb(path: Path) -> Path:
    """A workbook whose one sheet unpacks to about 110 MB of identical rows (a few hundred KB packed)."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info))
                continue
            with out.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                stream.write(b"<sheetData>")
                chunk = b"<row><c><v>1</v></c></row>" * 2000
                for _ in range(110 * 1024 * 1024 // len(chunk)):
                    stream.write(chunk)
                stream.write(b"</sheetData></worksheet>")
    plain.unlink()
    return path


def measure(path: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="import-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = {
        "1.000.000 righe complete": lambda: write_rows(work / "milione.csv", 1_000_000, ROW),
        "1.000.000 righe brevi (entro 50 MB)": lambda: write_rows(work / "milione-brevi.csv", 1_000_000, "PG {n};x"),
        "50.000 righe complete (massimo accettato)": lambda: write_rows(work / "cinquantamila.csv", 50_000, ROW),
        "XLSX compresso (bomba)": lambda: write_bomb(work / "bomba.xlsx"),
    }
    for name, build in cases.items():
        path = build()
        size = path.stat().st_size / (1024 * 1024)
        result = measure(path)
        print(
            f"{name}: file {size:.1f} MB, picco RSS {result['peak_mb']} MB, {result['seconds']} s — "
            f"{str(result['outcome'])[:160]}"
        )
        path.unlink()


if __name__ == "__main__":
    main()
