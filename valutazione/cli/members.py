"""The committee's members from the command line: add, list, and before the first score rename or remove.

Renaming and removing are the chair's corrections (a name typed wrong, a person appointed by mistake): they
need a reason, and the chair's password when one is set, as in the GUI's committee screen.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from valutazione.cli.common import chair_confirmed, chair_if_any, option, password_option, target
from valutazione.db import opened
from valutazione.services import committee, lookup, member_changes


def add_parser(sub: Any) -> None:
    p = sub.add_parser("members", help="commissione: aggiungere, elencare, correggere i componenti")
    members = p.add_subparsers(dest="members_command", metavar="AZIONE", required=True)
    a = members.add_parser("add", help="aggiunge un componente della commissione")
    a.add_argument("file", type=target)
    a.add_argument("name", metavar="NOME")
    option(a, "--ruolo", "--role", dest="role", required=True, choices=committee.ROLES)
    a.add_argument("--email", default="")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_members_add)
    a = members.add_parser("list", help="elenca i componenti con ruolo e dichiarazione")
    a.add_argument("file", type=target)
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_members_list)
    a = members.add_parser("rinomina", help="corregge il nome di un componente che non ha ancora valutato")
    a.add_argument("file", type=target)
    a.add_argument("name", metavar="NOME")
    option(a, "--nuovo-nome", dest="new_name", required=True, metavar="NOME")
    option(a, "--motivo", dest="reason", required=True, metavar="MOTIVO")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_members_rename)
    a = members.add_parser("rimuovi", help="rimuove un componente nominato per errore, prima di ogni punteggio")
    a.add_argument("file", type=target)
    a.add_argument("name", metavar="NOME")
    option(a, "--motivo", dest="reason", required=True, metavar="MOTIVO")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_members_remove)


def cmd_members_add(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        m = committee.add_member(s, args.name, args.role, chair_if_any(s, args), args.email)
        print(f"Aggiunto {m.name} ({m.role}).")
    return 0


def cmd_members_list(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        members = committee.list_members(s)
    if args.json:
        rows = [{"name": m.name, "role": m.role, "declared": m.declared_at is not None} for m in members]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for m in members:
        declared = "dichiarazione resa" if m.declared_at else "dichiarazione NON resa"
        print(f"{m.name:<30} {m.role:<11} {declared}")
    return 0


def cmd_members_rename(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_confirmed(s, args)
        m = lookup.member_by_name(s, args.name)
        old = m.name
        info = member_changes.rename_member(s, m.id, args.new_name, args.reason, who)
    print(f"{old} ora si chiama {info.name} ({info.role}).")
    return 0


def cmd_members_remove(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_confirmed(s, args)
        m = lookup.member_by_name(s, args.name)
        name = member_changes.remove_member(s, m.id, args.reason, who)
    print(f"Rimozione registrata: {name} non fa più parte della commissione.")
    return 0
