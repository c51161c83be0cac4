"""``valutazione import FILE DOMANDE``: applications from a platform export (CSV or XLSX).

The whole import is one transaction: either the report's rows are all written, or nothing is. With
``--json`` the report is machine-readable (for scripts and CI); without, it is an Italian summary for the
chair, who decides from it whether to fix the file or skip the refused rows.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from valutazione.cli.common import option, os_user
from valutazione.db import open_database
from valutazione.errors import ImportRefusedError
from valutazione.importers.domande import import_domande
from valutazione.importers.report import ImportReport, RowsRefusedError
from valutazione.importers.table import FIELD_ALIASES


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="importa le domande da un file CSV o XLSX della piattaforma",
        description="Importa le domande di contributo da un export CSV o XLSX, con gli eventuali allegati.",
    )
    parser.add_argument("file", help="file di valutazione (.valutazione)")
    parser.add_argument("domande", help="export delle domande (CSV o XLSX)")
    parser.add_argument("--allegati", metavar="CARTELLA", help="cartella con i file allegati alle domande")
    option(
        parser,
        "--prova",
        "--dry-run",
        dest="dry_run",
        action="store_true",
        help="mostra cosa verrebbe importato, senza scrivere",
    )
    option(
        parser,
        "--salta-non-valide",
        "--skip-invalid",
        dest="skip_invalid",
        action="store_true",
        help="importa le righe leggibili anche se alcune sono rifiutate",
    )
    parser.add_argument(
        "--colonna",
        action="append",
        default=[],
        metavar="CAMPO=INTESTAZIONE",
        help=f"associa una colonna del file a un campo ({', '.join(FIELD_ALIASES)})",
    )
    parser.add_argument("--json", action="store_true", help="risultato in formato JSON")
    parser.set_defaults(func=run)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise ImportRefusedError(f"--colonna «{pair}»: usare la forma CAMPO=INTESTAZIONE")
        mapping[field.strip()] = header.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    mapping = _mapping(args.colonna)
    db = open_database(args.file)
    refused_file = False  # RowsRefusedError: rows refused without --skip-invalid, nothing written
    try:
        with db.sessions.begin() as session:
            try:
                result = import_domande(
                    session,
                    args.domande,
                    allegati=args.allegati,
                    mapping=mapping,
                    skip_invalid=args.skip_invalid,
                    dry_run=args.dry_run,
                    actor=os_user(),
                )
                report, imported = result.report, result.imported
            except RowsRefusedError as exc:
                report, imported, refused_file = exc.report, 0, True
    finally:
        db.close()
    if args.json:
        payload = report.to_json(imported)
        payload["dry_run"] = bool(args.dry_run)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render(report, imported, dry_run=args.dry_run, refused_file=refused_file))
    return exit_code(report, imported, dry_run=args.dry_run, skip_invalid=args.skip_invalid)


def exit_code(report: ImportReport, imported: int, *, dry_run: bool, skip_invalid: bool) -> int:
    """0 when the file was accepted (or would be, on a dry run); 2 when it was refused.

    With --skip-invalid a file is still refused when no row at all could be read.
    """
    if not report.refused:
        return 0
    if not skip_invalid:
        return 2
    readable = len(report.domande) + len(report.skipped)
    return 0 if (imported or readable) else 2


def render(report: ImportReport, imported: int, *, dry_run: bool, refused_file: bool) -> str:
    """The report as the chair reads it: counts, each refused row, each flag for the committee."""
    lines = [
        f"File: {report.filename} ({report.total_rows} righe di domande)",
        f"Da importare: {len(report.domande)} · già presenti: {len(report.skipped)} · "
        f"righe rifiutate: {len(report.refused_rows)} · segnalazioni: {len(report.flags)}",
    ]
    if report.refused:
        lines.append("")
        lines.append("Righe rifiutate (dati non leggibili):")
        lines += [
            f"  riga {r.row} · {r.protocol or '(senza protocollo)'} · {r.field}: {r.reason}" for r in report.refused
        ]
    if report.flags:
        lines.append("")
        lines.append("Segnalazioni per la verifica di ammissibilità:")
        lines += [f"  {protocol} · {flag.rule}: {flag.detail}" for protocol, flag in report.flags]
    lines.append("")
    if dry_run:
        lines.append("Prova senza scrittura: nessuna modifica al file di valutazione.")
    elif refused_file:
        lines.append(
            "File rifiutato: nessuna domanda importata. Correggere le righe indicate oppure "
            "ripetere con --skip-invalid per importare le altre."
        )
    elif imported:
        lines.append(f"Importate {imported} domande.")
    else:
        lines.append("Nessuna domanda nuova da importare.")
    return "\n".join(lines)
