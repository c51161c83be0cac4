"""The command line: ``valutazione <command> ...`` (also ``python -m valutazione``).

Each group of commands lives in its own module of this package with an ``add_parser(subparsers)``
function; handlers return the exit code. User errors (``ValutazioneError``) print their Italian
message and exit 2; nothing else is caught, so a bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from valutazione import __version__
from valutazione.errors import ValutazioneError

COMMAND_MODULES = (
    "valutazione.cli.basic",
    "valutazione.cli.imports",
    "valutazione.cli.committee",
    "valutazione.cli.seduta",
    "valutazione.cli.export",
    "valutazione.cli.sign",
    "valutazione.cli.package",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valutazione",
        description="Valutazione delle domande di contributo: bando, commissione, punteggi, graduatoria, verbali.",
    )
    parser.add_argument("--version", action="version", version=f"valutazione {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command group not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
