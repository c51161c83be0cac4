"""``valutazione export``: rankings, sheets and minutes as PDF, CSV, XLSX or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from valutazione.db import opened
from valutazione.exports.documents import FORMATS, WHATS, export
from valutazione.exports.writers import write_atomically


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="esporta graduatoria, graduatoria pubblica, schede o verbale",
        description=(
            "Esporta un documento. Senza --version usa l'ultima graduatoria approvata; se non ce n'è "
            "nessuna, quella calcolata ora, indicata come «non approvata»."
        ),
    )
    p.add_argument("file", metavar="FILE", help="il file di valutazione")
    p.add_argument("--what", choices=WHATS, required=True, help="il documento da esportare")
    p.add_argument("--format", choices=FORMATS, default="pdf", help="formato (predefinito: pdf)")
    p.add_argument("--seduta", type=int, help="numero della seduta (per il verbale)")
    p.add_argument("--version", type=int, help="versione approvata della graduatoria")
    p.add_argument("--protocollo", action="append", help="solo queste domande (schede); ripetibile")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="file da scrivere")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        data = export(s, args.what, args.format, version=args.version, seduta=args.seduta, protocols=args.protocollo)
    out = write_atomically(args.output, data)
    print(f"Scritto {out} ({len(data):,} byte)".replace(",", "."))
    return 0
