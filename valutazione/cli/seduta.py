"""Sessions (*sedute*) from the command line: what the secretary records and the minutes are printed from."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.cli.common import actor, confirmed, number, option, parse_day, password_option, target
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.models import Seduta
from valutazione.services import committee, lookup, sedute
from valutazione.services.committee import PRESIDENTE, SEGRETARIO
from valutazione.services.seduta_correction import SedutaChange, correct_seduta


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
    _as_option(a, "chi registra")
    a.set_defaults(func=cmd_add)

    a = actions.add_parser("list", help="elenca le sedute registrate")
    a.add_argument("file", type=target)
    a.set_defaults(func=cmd_list)

    a = actions.add_parser("note", help="aggiunge una nota di correzione (stampata prima delle firme)")
    a.add_argument("file", type=target)
    a.add_argument("numero", type=number)
    a.add_argument("testo")
    _as_option(a, "chi aggiunge la nota")
    a.set_defaults(func=cmd_note)

    a = actions.add_parser("rettifica", help="corregge una seduta registrata, con il motivo (resta nel verbale)")
    a.add_argument("file", type=target)
    a.add_argument("numero", type=number)
    option(a, "--motivo", dest="reason", required=True, metavar="MOTIVO")
    a.add_argument("--data", metavar="GG/MM/AAAA")
    a.add_argument("--inizio", metavar="HH:MM")
    a.add_argument("--fine", metavar="HH:MM")
    a.add_argument("--luogo", help="luogo della seduta")
    where = a.add_mutually_exclusive_group()
    where.add_argument("--remoto", action="store_const", const=True, dest="remote", help="svolta da remoto")
    option(where, "--in-presenza", dest="remote", action="store_const", const=False, help="svolta in presenza")
    a.add_argument("--presenti", metavar="NOME;NOME;...", help="l'elenco corretto dei presenti, separati da ;")
    a.add_argument("--odg", metavar="TESTO", help="ordine del giorno corretto")
    option(a, "--nota", dest="note", metavar="TESTO", help="nota aggiunta in fondo alle note della seduta")
    _as_option(a, "chi rettifica")
    a.set_defaults(func=cmd_correct)


def cmd_add(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.presenti.split(";") if n.strip()]
    with opened(args.file) as db, db.sessions.begin() as s:
        who = _recorder(s, args)
        present = [lookup.member_by_name(s, name).id for name in names]
        row = sedute.record_seduta(
            s,
            parse_day(args.data, "data della seduta"),
            args.inizio,
            args.fine,
            args.luogo,
            args.odg.replace("\\n", "\n"),
            present,
            who,
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
        who = _recorder(s, args)
        row = sedute.seduta_by_number(s, args.numero)
        sedute.add_note(s, row.id, args.testo, who)
    print(f"Nota aggiunta al verbale della seduta n. {args.numero}.")
    return 0


def _officer(s: Session, role: str | None) -> int:
    """Who corrects: the role asked for, else the secretary (who keeps the minutes), else the chair."""
    found = {m.role: m.id for m in committee.list_members(s) if m.role in (SEGRETARIO, PRESIDENTE)}
    for wanted in (role,) if role else (SEGRETARIO, PRESIDENTE):
        if wanted in found:
            return found[wanted]
    raise RuleViolation(f"La commissione non ha un {role or 'segretario né un presidente'} che possa rettificare.")


def _recorder(s: Session, args: argparse.Namespace) -> str:
    """Who records a session or a note: the secretary (or the chair), with their password if set, as in the
    GUI; a file whose committee has neither yet records under ``actor``."""
    if args.role is None and not {m.role for m in committee.list_members(s)} & {SEGRETARIO, PRESIDENTE}:
        return actor(s)
    return confirmed(s, args, _officer(s, args.role))


def cmd_correct(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = confirmed(s, args, _officer(s, args.role))
        row = sedute.seduta_by_number(s, args.numero)
        present = None
        if args.presenti is not None:
            names = [n.strip() for n in args.presenti.split(";") if n.strip()]
            present = frozenset(lookup.member_by_name(s, name).id for name in names)
        change = SedutaChange(
            day=parse_day(args.data, "data della seduta") if args.data else None,
            start_time=args.inizio,
            end_time=args.fine,
            place=args.luogo,
            remote=args.remote,
            agenda=args.odg.replace("\\n", "\n") if args.odg is not None else None,
            notes=f"{row.notes}\n{args.note.strip()}".strip() if args.note is not None else None,
            present=present,
        )
        correct_seduta(s, row.id, change, args.reason, who)
    print(f"Rettificata la seduta n. {args.numero}: la rettifica è annotata nel verbale.")
    return 0


def _as_option(a: Any, who: str) -> None:
    """``--come segretario|presidente`` and the password of the one who records (the secretary by default)."""
    option(
        a, "--come", dest="role", choices=(SEGRETARIO, PRESIDENTE), help=f"{who} (predefinito: il segretario, se c'è)"
    )
    password_option(a, f"di {who}")
