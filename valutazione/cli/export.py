"""``valutazione export``: rankings, sheets and minutes as PDF, CSV, XLSX or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from valutazione.cli.common import chair_if_any, number, option, output, password_option
from valutazione.db import opened
from valutazione.destinations import os_errors_as_messages
from valutazione.errors import ValutazioneError
from valutazione.exports.documents import FORMATS, WHATS, export, public_count, record_publication_confirmed
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
    option(p, "--cosa", "--what", dest="what", choices=WHATS, required=True, help="il documento da esportare")
    option(p, "--formato", "--format", dest="format", choices=FORMATS, default="pdf", help="formato (predefinito: pdf)")
    p.add_argument("--seduta", type=number, help="numero della seduta (per il verbale)")
    option(p, "--versione", "--version", dest="version", type=number, help="versione approvata della graduatoria")
    p.add_argument("--protocollo", action="append", help="solo queste domande (schede); ripetibile")
    option(p, "--lotto", "--lot", dest="lot", default=None, metavar="CODICE", help="solo questo lotto (graduatorie)")
    option(p, "--uscita", "-o", "--output", dest="output", required=True, metavar="OUT", help="file da scrivere")
    p.add_argument(
        "--pubblica-persone-fisiche",
        action="store_true",
        help="graduatoria pubblica: il presidente conferma di pubblicare anche i proponenti non identificati "
        "come enti (possibili persone fisiche); la conferma è registrata nel registro delle operazioni",
    )
    password_option(p, "del presidente (con --pubblica-persone-fisiche)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    confirm = bool(getattr(args, "pubblica_persone_fisiche", False))
    public = args.what == "graduatoria-pubblica"
    if confirm and not public:
        raise ValutazioneError("--pubblica-persone-fisiche vale solo per la graduatoria pubblica.")
    count = None
    if confirm:  # the confirmation is logged, so the file is opened for writing
        with opened(args.file) as db, db.sessions.begin() as s:
            count = record_publication_confirmed(s, chair_if_any(s, args), args.version, args.format)
            data = export(s, args.what, args.format, version=args.version, confirm_persons=True, lot=args.lot)
    else:
        with opened(args.file, read_only=True) as db, db.sessions() as s:
            data = export(
                s,
                args.what,
                args.format,
                version=args.version,
                seduta=args.seduta,
                protocols=args.protocollo,
                lot=args.lot,
            )
            count = public_count(s, args.version) if public else None
    with os_errors_as_messages(args.output):
        out = write_atomically(output(args.output), data)
    print(f"Scritto {out} ({len(data):,} byte)".replace(",", "."))
    if count is not None:
        for note in count.notes():
            print(note)
    return 0
