"""Basic commands: create a file, the demo, information, backup, audit verification."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from valutazione import audit
from valutazione.bando import default_template, load_bando
from valutazione.cli.common import output, target
from valutazione.db import FileLockedError, backup_to, create_database, open_database
from valutazione.destinations import os_errors_as_messages
from valutazione.errors import DatabaseError
from valutazione.filelock import WriterLock
from valutazione.models import BandoRow, Commissario, Domanda, GraduatoriaVersion, Scheda
from valutazione.server.url import is_server_url


def add_parser(sub: Any) -> None:
    p = sub.add_parser("new", help="crea un nuovo file di valutazione da un bando")
    p.add_argument("file", type=target)
    p.add_argument("--bando", type=Path, default=None, help="regole del bando in TOML (predefinito: Milano MI3.3.1.e)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("demo", help="crea un file dimostrativo completo (bando di Milano, domande, punteggi)")
    p.add_argument("file", type=target)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("info", help="mostra bando, conteggi e versione dello schema")
    p.add_argument("file", type=target)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("backup", help="copia sicura del file, anche mentre l'applicazione lo tiene aperto")
    p.add_argument("file", type=target)
    p.add_argument("dest", type=Path)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("backups", help="elenca le copie di sicurezza automatiche del file")
    p.add_argument("file", type=target)
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="ripristina il file da una copia di sicurezza (il file attuale è conservato)")
    p.add_argument("file", type=target)
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="la copia da ripristinare (predefinita: la più recente integra)",
    )
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("audit", help="registro delle decisioni")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="AZIONE", required=True)
    add_audit_verify(audit_sub)


def cmd_new(args: argparse.Namespace) -> int:
    toml = args.bando or default_template()
    bando = load_bando(toml)
    create_database(args.file, bando, toml.read_text(encoding="utf-8")).close()
    print(f"Creato «{args.file}» per il bando {bando.code}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from valutazione.demo import build_demo

    if is_server_url(args.file):
        raise DatabaseError(
            "Il file dimostrativo si crea su un file: crearlo con «valutazione demo FILE» e portarlo sul server "
            "con «valutazione server push FILE URL»."
        )
    if args.file.exists():
        raise DatabaseError(f"Il file «{args.file}» esiste già: scegliere un altro nome.")
    build_demo(args.file)
    print(f"Creato il file dimostrativo «{args.file}».")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    db = open_database(args.file, read_only=True)
    try:
        with db.sessions() as s:
            row = s.scalars(select(BandoRow)).one()
            info: dict[str, Any] = {
                "bando": row.code,
                "titolo": row.title,
                "schema": _schema(s),
                "domande": s.scalar(select(func.count(Domanda.id))),
                "commissari": s.scalar(select(func.count(Commissario.id))),
                "schede_inviate": s.scalar(select(func.count(Scheda.id)).where(Scheda.state == "inviata")),
                "graduatorie": s.scalar(select(func.count(GraduatoriaVersion.id))),
                "registro": audit.verify_chain(s).message,
            }
    finally:
        db.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        labels = {
            "bando": "Bando",
            "titolo": "Titolo",
            "schema": "Schema",
            "domande": "Domande",
            "commissari": "Commissari",
            "schede_inviate": "Schede inviate",
            "graduatorie": "Graduatorie approvate",
            "registro": "Registro",
        }
        for key, label in labels.items():
            print(f"{label}: {info[key]}")
    return 0


def _schema(session: Any) -> str:
    return str(session.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar())


def cmd_backup(args: argparse.Namespace) -> int:
    if is_server_url(args.file):
        from valutazione.server.copy import pull

        with os_errors_as_messages(args.dest):
            result = pull(args.file, output(args.dest, may_exist=False))
        print(f"Copia del database del server scritta in «{args.dest}» ({result.summary()}).")
        return 0
    open_database(args.file, read_only=True).close()  # refuses what is not a valutazione file
    with os_errors_as_messages(args.dest):
        backup_to(args.file, output(args.dest, may_exist=False))
    print(f"Copia di sicurezza scritta in «{args.dest}».")
    return 0


# --- audit verify: the chain, every seal, and the anchors in documents held outside the file -------------


def add_audit_verify(audit_sub: Any) -> None:
    v = audit_sub.add_parser(
        "verify",
        help="verifica il registro e i sigilli di schede, regole, decisioni e graduatorie approvate",
    )
    v.add_argument("file", type=target)
    v.add_argument(
        "--against",
        dest="documents",
        type=Path,
        action="append",
        default=[],
        metavar="DOC.pdf",
        help="documento esportato o firmato (ripetibile): il registro deve contenerne ancora l'ancora",
    )
    v.set_defaults(func=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when everything holds; 1 listing every broken object (not only the first)."""
    from valutazione import seals
    from valutazione.seals.anchors import verify_against
    from valutazione.seals.report import RESTORE_HINT, SERVER_HINT

    db = open_database(args.file, read_only=True)
    try:
        with db.sessions() as s:
            report = seals.verify_file(s)
            broken = list(report.broken)
            for doc in args.documents:
                found = verify_against(s, doc)
                broken.extend(found)
                if not found:
                    print(f"Documento «{doc.name}»: ancora presente nel registro, contenuto corrispondente al file.")
    finally:
        db.close()
    if not broken:
        print(report.message)
        return 0
    print(f"Sigilli violati: {len(broken)} {'oggetto' if len(broken) == 1 else 'oggetti'}.")
    for item in broken:
        print(f"- {item.message}")
    print(SERVER_HINT if is_server_url(args.file) else RESTORE_HINT.replace("FILE", str(args.file)))
    return 1


def _no_local_backups(target: Path | str) -> None:
    if is_server_url(target):
        raise DatabaseError(
            "Le copie di sicurezza automatiche riguardano i file: per un database sul server valgono le copie "
            "dell'amministratore del server (pg_dump); una copia in un file si ottiene con "
            "«valutazione server pull URL FILE»."
        )


def cmd_backups(args: argparse.Namespace) -> int:
    from valutazione.backups import list_backups

    _no_local_backups(args.file)
    found = list_backups(args.file)
    if not found:
        print(f"Nessuna copia di sicurezza di «{args.file}».")
    for backup in found:
        print(f"{backup.label}\t{backup.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from valutazione.backups import latest_good_backup, restore

    _no_local_backups(args.file)
    source = args.source
    if source is None:
        latest = latest_good_backup(args.file)
        if latest is None:
            raise DatabaseError(f"Nessuna copia di sicurezza integra di «{args.file}».")
        source = latest.path
    if Path(args.file).is_dir():
        raise DatabaseError(
            f"Impossibile ripristinare su «{args.file}»: è una cartella; indicare il file di valutazione."
        )
    lock = WriterLock(args.file)  # never swap a file under another copy of the app that is writing it
    holder = lock.acquire()
    if holder is not None:
        raise FileLockedError(args.file, holder)
    try:
        aside = restore(source, args.file)
    finally:
        lock.release()
    print(f"Ripristinato «{args.file}» da «{source}».")
    if aside != args.file:
        print(f"Il file sostituito è conservato in «{aside}».")
    return 0
