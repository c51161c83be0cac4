"""Offline evaluation commands: export a member's package, open it, return the work, merge it back."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from valutazione.db import open_database


def add_parser(sub: Any) -> None:
    p = sub.add_parser("package", help="valutazione offline: pacchetti per i commissari e loro ritorni")
    actions = p.add_subparsers(dest="package_command", metavar="AZIONE", required=True)

    a = actions.add_parser("export", help="(presidente) esporta il pacchetto di un commissario")
    a.add_argument("file", type=Path, help="file del presidente")
    a.add_argument("--member", required=True, help="nome del commissario")
    a.add_argument("-o", "--output", type=Path, required=True, help="pacchetto da scrivere (.valpkg)")
    a.set_defaults(func=cmd_export)

    a = actions.add_parser("open", help="(commissario) apre un pacchetto e ne estrae il file di lavoro")
    a.add_argument("package", type=Path)
    a.set_defaults(func=cmd_open)

    a = actions.add_parser("return", help="(commissario) scrive il ritorno firmato del lavoro svolto")
    a.add_argument("package", type=Path)
    a.add_argument("-o", "--output", type=Path, required=True, help="ritorno da scrivere (.valret)")
    a.set_defaults(func=cmd_return)

    a = actions.add_parser("merge", help="(presidente) importa il ritorno di un commissario")
    a.add_argument("file", type=Path, help="file del presidente")
    a.add_argument("ret", type=Path, metavar="RITORNO")
    a.add_argument(
        "--trust-new-key",
        action="store_true",
        help="registra la chiave del commissario al primo ritorno (dopo averne verificato l'impronta)",
    )
    a.set_defaults(func=cmd_merge)

    a = actions.add_parser("key", help="mostra (e crea al primo uso) l'impronta della chiave di questo computer")
    a.set_defaults(func=cmd_key)


def cmd_export(args: argparse.Namespace) -> int:
    from valutazione.sync.package import export_package

    db = open_database(args.file)
    try:
        with db.sessions.begin() as s:
            result = export_package(s, args.member, args.output)
    finally:
        db.close()
    print(
        f"Pacchetto n. {result.manifest.sequence} per {result.manifest.member_name} scritto in «{result.path}»: "
        f"{result.applications} domande, {result.sheets} schede precedenti."
    )
    if not result.declared:
        print(
            "Il commissario non ha ancora reso la dichiarazione generale: il pacchetto non contiene domande. "
            "Dopo il ritorno con la dichiarazione, esportare un nuovo pacchetto."
        )
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from valutazione.sync.package import open_package

    opened = open_package(args.package)
    verb = "Estratto" if opened.created else "Già estratto"
    print(f"{verb} il file di lavoro di {opened.manifest.member_name}: «{opened.path}».")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from valutazione.sync.returns import make_return

    result = make_return(args.package, args.output)
    print(
        f"Ritorno firmato scritto in «{result.path}»: {result.sheets} schede ({result.submitted} inviate), "
        f"{result.conflicts} conflitti dichiarati. Impronta della chiave: {result.fingerprint}."
    )
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from valutazione.sync.merge import merge_return

    db = open_database(args.file)
    try:
        with db.sessions.begin() as s:
            report = merge_return(s, args.ret, trust_new_key=args.trust_new_key)
    finally:
        db.close()
    print(report.text())
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from valutazione.sync.keys import load_or_create_key

    key = load_or_create_key()
    print(f"Impronta della chiave di questo computer: {key.fingerprint}")
    print("Comunicarla al presidente, che la confronta al primo ritorno.")
    return 0
