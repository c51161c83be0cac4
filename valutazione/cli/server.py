"""The committee server: ``server push FILE URL`` (from a laptop to the server), ``server pull URL FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from valutazione.cli.common import ask_secret, option, output, read_secret_file
from valutazione.destinations import os_errors_as_messages
from valutazione.errors import RuleViolation
from valutazione.server import policies


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
    add_roles_parsers(server_sub)


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


# --- Roles and policies on the server (``server init``, ``server member add``): valutazione/server/roles.py


def add_roles_parsers(server_sub: Any) -> None:
    """``server init URL`` and ``server member add URL NAME``, run by the chair or the database's owner."""
    init = server_sub.add_parser(
        "init",
        help="prepara il server: ruoli, regole di accesso per riga, vincoli su schede, registro e graduatorie",
    )
    init.add_argument("url", help="indirizzo del database della commissione: postgresql://utente@host:porta/database")
    init.set_defaults(func=cmd_init)
    member = server_sub.add_parser("member", help="utenti del server per i componenti della commissione")
    member_sub = member.add_subparsers(dest="member_command", metavar="AZIONE", required=True)
    add = member_sub.add_parser(
        "add", help="crea l'utente di accesso al server di un componente e lo collega al componente"
    )
    add.add_argument("url", help="indirizzo del database della commissione")
    add.add_argument("name", metavar="NOME", help="nome del componente, come registrato nella commissione")
    option(add, "--ruolo", choices=policies.ROLES, help="ruolo atteso del componente (controllo)")
    option(add, "--utente", metavar="UTENTE", help="nome dell'utente sul server (predefinito: dal nome)")
    option(
        add,
        "--file-password",
        "--password-file",
        dest="password_file",
        type=Path,
        metavar="FILE",
        help="file la cui prima riga è la password dell'utente (altrimenti chiesta due volte)",
    )
    add.set_defaults(func=cmd_member_add)


def cmd_init(args: argparse.Namespace) -> int:
    from valutazione.server.roles import init

    report = init(args.url)
    print(f"Server della commissione preparato: {report.summary()}.")
    print("Ora si crea un utente per ogni componente con «valutazione server member add URL NOME».")
    return 0


def _new_password(args: argparse.Namespace) -> str:
    if args.password_file is not None:
        return read_secret_file(args.password_file)
    first = ask_secret(f"Password per {args.name} sul server: ")
    if ask_secret("Ripetere la password: ") != first:
        raise RuleViolation("Le due password non coincidono: nessun utente creato.")
    return first


def cmd_member_add(args: argparse.Namespace) -> int:
    from valutazione.server.roles import add_member, address_for

    login = add_member(args.url, args.name, _new_password(args), role=args.ruolo, login=args.utente)
    print(f"Utente «{login}» creato sul server per {args.name}.")
    print(f"Indirizzo da usare: {address_for(args.url, login)}")
    return 0
