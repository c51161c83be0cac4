"""Offline evaluation commands: export a member's package, open it, return the work, merge it back.

Passphrases (sealed packages and returns) come from ``--password-file`` (its first line) or from an
interactive prompt that does not echo; never from the command line, where they would stay in the
shell's history and in the process list.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from valutazione.cli.common import ask_secret, option, output, password_file_option, read_secret_file, target
from valutazione.db import open_database
from valutazione.sync.archive import PackageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("package", help="valutazione offline: pacchetti per i commissari e loro ritorni")
    actions = p.add_subparsers(dest="package_command", metavar="AZIONE", required=True)

    a = actions.add_parser("export", help="(presidente) esporta il pacchetto di un commissario")
    a.add_argument("file", type=target, help="file del presidente")
    option(a, "--commissario", "--member", dest="member", required=True, help="nome del commissario")
    option(
        a, "--uscita", "-o", "--output", dest="output", type=Path, required=True, help="pacchetto da scrivere (.valpkg)"
    )
    _seal_options(a, "il pacchetto")
    a.set_defaults(func=cmd_export)

    a = actions.add_parser("open", help="(commissario) apre un pacchetto e ne estrae il file di lavoro")
    a.add_argument("package", type=Path)
    a.add_argument(
        "--trust-key",
        metavar="IMPRONTA",
        help="al primo pacchetto di un presidente registra la sua chiave, solo se ha questa impronta "
        "(comunicata dal presidente; spazi e maiuscole non contano)",
    )
    password_file_option(a, "password del pacchetto, se protetto")
    a.set_defaults(func=cmd_open)

    a = actions.add_parser("return", help="(commissario) scrive il ritorno firmato del lavoro svolto")
    a.add_argument("package", type=Path)
    option(
        a, "--uscita", "-o", "--output", dest="output", type=Path, required=True, help="ritorno da scrivere (.valret)"
    )
    _seal_options(a, "il ritorno (e apre con la stessa password il pacchetto, se protetto)")
    a.set_defaults(func=cmd_return)

    a = actions.add_parser("merge", help="(presidente) importa il ritorno di un commissario")
    a.add_argument("file", type=target, help="file del presidente")
    a.add_argument("ret", type=Path, metavar="RITORNO")
    a.add_argument(
        "--trust-key",
        metavar="IMPRONTA",
        help="al primo ritorno del commissario registra la sua chiave, solo se ha questa impronta "
        "(letta dal commissario con «valutazione package key»; spazi e maiuscole non contano)",
    )
    password_file_option(a, "password del ritorno, se protetto")
    a.set_defaults(func=cmd_merge)

    a = actions.add_parser("key", help="mostra (e crea al primo uso) l'impronta della chiave di questo computer")
    a.set_defaults(func=cmd_key)


def _seal_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--cifra", action="store_true", help=f"protegge {what} con una password, chiesta senza mostrarla"
    )
    password_file_option(parser, f"password con cui proteggere {what}")


def _new_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase to seal with: from the file, or typed twice; None when sealing was not asked."""
    if args.password_file is not None:
        return read_secret_file(args.password_file)
    if not args.cifra:
        return None
    first = ask_secret("Nuova password (almeno 10 caratteri): ")
    if ask_secret("Ripetere la password: ") != first:
        raise PackageError("Le due password non coincidono: nulla è stato scritto.")
    return first


def _existing_passphrase(args: argparse.Namespace, path: Path) -> str | None:
    """The passphrase of an existing sealed file (file or prompt); None when ``path`` is not sealed."""
    from valutazione.sync.sealed import is_sealed

    if not is_sealed(path):
        return None
    if args.password_file is not None:
        return read_secret_file(args.password_file)
    return ask_secret(f"Password di «{path.name}»: ")


def cmd_export(args: argparse.Namespace) -> int:
    from valutazione.sync.package import export_package

    passphrase = _new_passphrase(args)
    db = open_database(args.file)
    try:
        with db.sessions.begin() as s:
            result = export_package(s, args.member, output(args.output), passphrase=passphrase)
    finally:
        db.close()
    print(
        f"Pacchetto n. {result.manifest.sequence} per {result.manifest.member_name} scritto in «{result.path}»: "
        f"{result.applications} domande, {result.sheets} schede precedenti."
    )
    print(
        f"Firmato con la chiave del presidente, impronta {result.chair_fingerprint}: "
        "comunicarla al commissario, che la confronta e la conferma alla prima apertura."
    )
    if not result.declared:
        print(
            "Il commissario non ha ancora reso la dichiarazione generale: il pacchetto non contiene domande. "
            "Dopo il ritorno con la dichiarazione, esportare un nuovo pacchetto."
        )
    if passphrase is not None:
        print("Pacchetto protetto da password: comunicarla al commissario per un altro canale, mai con il file.")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from valutazione.sync.package import open_package

    opened = open_package(args.package, passphrase=_existing_passphrase(args, args.package), trusted_key=args.trust_key)
    verb = "Estratto" if opened.created else "Già estratto"
    print(f"{verb} il file di lavoro di {opened.manifest.member_name}: «{opened.path}».")
    if opened.key_pinned:
        print(
            f"Primo pacchetto di questo presidente: registrata la sua chiave, impronta {opened.chair_fingerprint} "
            "(confermata); i pacchetti successivi firmati con un'altra chiave saranno rifiutati."
        )
    else:
        print(f"Firma del presidente verificata (impronta {opened.chair_fingerprint}).")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from valutazione.sync.returns import make_return

    passphrase = _new_passphrase(args)
    package_passphrase = passphrase if args.password_file is not None else None
    if package_passphrase is None:
        package_passphrase = _existing_passphrase(args, args.package)
    result = make_return(
        args.package, output(args.output), passphrase=passphrase, package_passphrase=package_passphrase
    )
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
            report = merge_return(
                s, args.ret, trusted_key=args.trust_key, passphrase=_existing_passphrase(args, args.ret)
            )
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
