"""Sessions (*sedute*) from the command line: what the secretary records and the minutes are printed from."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from valutazione.cli.common import actor, number, option, parse_day, target
from valutazione.db import opened
from valutazione.models import Seduta
from valutazione.services import lookup, sedute


def add_parser(sub: Any) -> None:
    p = sub.add_parser("seduta", help="sedute della commissione (il verbale si stampa da una seduta)")
    actions = p.add_subparsers(dest="seduta_command", metavar="AZIONE", required=True)

    a = actions.add_parser("add", help="registra una seduta con il numero successivo")
    a.add_argument("file", type=target)
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA")
    a.add_argument("--inizio", default="", metavar="HH:MM")
    a.add_argument("--fine", default="", metavar="HH:MM")
    a.add_argument("--luogo", default="", help="luogo della seduta")
    a.add_argument("--remoto", action="store_true", help="seduta svolta da remoto")
    a.add_argument("--presenti", required=True, metavar="NOME;NOME;...", help="commissari presenti, separati da ;")
    a.add_argument("--odg", default="", metavar="TESTO", help="ordine del giorno")
    option(a, "--nota", "--note", dest="note", default="")
    a.set_defaults(func=cmd_add)

    a = actions.add_parser("list", help="elenca le sedute registrate")
    a.add_argument("file", type=target)
    a.set_defaults(func=cmd_list)

    a = actions.add_parser("note", help="aggiunge una nota di correzione (stampata prima delle firme)")
    a.add_argument("file", type=target)
    a.add_argument("numero", type=number)
    a.add_argument("testo")
    a.set_defaults(func=cmd_note)


def cmd_add(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.presenti.split(";") if n.strip()]
    with opened(args.file) as db, db.sessions.begin() as s:
        present = [lookup.member_by_name(s, name).id for name in names]
        row = sedute.record_seduta(
            s,
            parse_day(args.data, "data della seduta"),
            args.inizio,
            args.fine,
            args.luogo,
            args.odg.replace("\\n", "\n"),
            present,
            actor(s),
            notes=args.note,
            remote=args.remoto,
        )
        number = row.number
    print(f"Registrata la seduta n. {number}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        rows = list(s.scalars(select(Seduta).order_by(Seduta.number)))
        if not rows:
            print("Nessuna seduta registrata.")
        for row in rows:
            where = "da remoto" if row.remote else row.place
            print(f"n. {row.number} · {row.day:%d/%m/%Y} {row.start_time}–{row.end_time} · {where}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        row = sedute.seduta_by_number(s, args.numero)
        sedute.add_note(s, row.id, args.testo, actor(s))
    print(f"Nota aggiunta al verbale della seduta n. {args.numero}.")
    return 0
