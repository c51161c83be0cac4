"""The committee server: ``server push FILE URL`` (from a laptop to the server), ``server pull URL FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from valutazione.cli.common import output
from valutazione.destinations import os_errors_as_messages


def add_parser(sub: Any) -> None:
    """The ``server`` group: the transfer commands here; roles and policies join the same group."""
    p = sub.add_parser("server", help="commissione su un server PostgreSQL: trasferimento da e verso un file")
    server_sub = p.add_subparsers(dest="server_command", metavar="AZIONE", required=True)

    push = server_sub.add_parser(
        "push",
        help="porta sul server (database vuoto) la commissione di un file, verificata prima e dopo la copia",
    )
    push.add_argument("file", type=Path, help="file di valutazione da trasferire")
    push.add_argument("url", help="indirizzo del database vuoto: postgresql://utente@host:porta/database")
    push.set_defaults(func=cmd_push)

    pull = server_sub.add_parser(
        "pull", help="copia d'archivio in un unico file della commissione sul server, verificata"
    )
    pull.add_argument("url", help="indirizzo del database: postgresql://utente@host:porta/database")
    pull.add_argument("file", type=Path, help="file da scrivere (non deve esistere)")
    pull.set_defaults(func=cmd_pull)


def cmd_push(args: argparse.Namespace) -> int:
    from valutazione.server.copy import push

    result = push(args.file, args.url)
    print(f"Commissione di «{args.file}» trasferita sul server ({result.summary()}).")
    print("Da ora si lavora sul server: il file resta com'era, come copia del momento del trasferimento.")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from valutazione.server.copy import pull

    with os_errors_as_messages(args.file):
        result = pull(args.url, output(args.file, may_exist=False))
    print(f"Copia della commissione sul server scritta in «{args.file}» ({result.summary()}).")
    return 0
