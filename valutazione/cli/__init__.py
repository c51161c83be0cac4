"""The command line: ``valutazione <command> ...`` (also ``python -m valutazione``).

Each group of commands lives in its own module of this package with an ``add_parser(subparsers)``
function, listed once in ``COMMAND_GROUPS`` (imported, so a missing module fails at once instead of
silently dropping its commands); handlers return the exit code. Exit codes: 0 done, 1 a check found a
problem, 2 the user's request was refused with an Italian message (``ValutazioneError``), 3 an unexpected
error — its traceback goes to the error log (``valutazione.errorlog``), never onto the screen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from valutazione import __version__, errorlog
from valutazione.cli import (
    basic,
    committee,
    export,
    imports,
    lots,
    members,
    package,
    pairwise,
    projects,
    seduta,
    server,
    sign,
)
from valutazione.cli.common import CliParser, ask_secret
from valutazione.errors import ValutazioneError
from valutazione.server.url import ServerAddress, set_password_prompt

COMMAND_GROUPS = (basic, imports, members, committee, pairwise, lots, seduta, export, sign, package, projects, server)
UNEXPECTED = 3


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="valutazione",
        description="Valutazione delle domande di contributo: bando, commissione, punteggi, graduatoria, verbali.",
    )
    parser.add_argument("--version", action="version", version=f"valutazione {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO")
    for group in COMMAND_GROUPS:
        group.add_parser(sub)
    return parser


def _ask_server_password(address: ServerAddress) -> str:
    return ask_secret(f"Password dell'utente {address.user} sul server {address.host}: ")


def main(argv: Sequence[str] | None = None) -> int:
    set_password_prompt(_ask_server_password)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args))
    except ValutazioneError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrotto.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (``valutazione rank FILE | head``): not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:  # the one place a defect becomes a message instead of a traceback
        log = errorlog.record(type(exc), exc, exc.__traceback__, where=f"riga di comando: {args.command}")
        print(
            f"Errore imprevisto ({type(exc).__name__}): l'operazione non è stata completata. "
            f"Dettagli per l'assistenza nel file di log: {log}",
            file=sys.stderr,
        )
        return UNEXPECTED
