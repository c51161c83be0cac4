"""Pairwise comparisons from the command line, for the calls that score a criterion by comparing pairs.

A member's comparisons on one sub-criterion come from a CSV file, one pair a row (``domanda_a;domanda_b;
preferita;grado``; ``preferita`` empty for parity, ``grado`` from 1 to 6 with halves, Italian comma), and
replace what the member saved before, as the GUI's form does; the set may be incomplete while the member
works, and the ranking uses it only once every pair is compared. The member's password, when set, is asked.
"""

from __future__ import annotations

import argparse
import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from valutazione.cli.common import confirmed, option, password_option, target
from valutazione.db import opened
from valutazione.errors import RuleViolation, ValutazioneError, file_access_error
from valutazione.pairwise import Comparison
from valutazione.scoring import format_it
from valutazione.services import lookup
from valutazione.services.pairwise_entry import PairwiseSheet, own_sheet, save_comparisons

HEADER = ("domanda_a", "domanda_b", "preferita", "grado")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("confronti", help="confronti a coppie di un commissario (bandi che li prevedono)")
    acts = p.add_subparsers(dest="confronti_command", metavar="AZIONE", required=True)
    a = acts.add_parser("mostra", help="mostra le coppie da confrontare e i confronti salvati")
    _common(a)
    a.set_defaults(func=cmd_show)
    a = acts.add_parser("salva", help="salva i confronti di un sottocriterio da CSV (sostituiscono i precedenti)")
    _common(a)
    a.add_argument("csv", type=Path, metavar="CONFRONTI.csv", help="colonne: " + ";".join(HEADER))
    password_option(a, "del commissario")
    a.set_defaults(func=cmd_save)


def _common(a: argparse.ArgumentParser) -> None:
    a.add_argument("file", type=target)
    option(a, "--commissario", dest="member", required=True, metavar="NOME")
    option(a, "--sottocriterio", dest="sub_code", required=True, metavar="CODICE")


def _printed(sheet: PairwiseSheet, member: str) -> None:
    state = "completi" if sheet.complete else "incompleti"
    print(f"{member}, sottocriterio {sheet.sub_code}: {len(sheet.comparisons)} confronti su {sheet.pairs} ({state}).")
    for c in sheet.comparisons:
        judged = "parità" if c.preferred is None else f"preferita {c.preferred}, grado {format_it(c.degree)}"
        print(f"  {c.a} / {c.b}: {judged}")


def cmd_show(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        m = lookup.member_by_name(s, args.member)
        sheet = own_sheet(s, lookup.rules(s), m.id, args.sub_code.strip())
        name = m.name
    print("Domande da confrontare: " + (", ".join(sheet.protocols) or "nessuna"))
    _printed(sheet, name)
    return 0


def read_comparisons(path: Path) -> list[Comparison]:
    """The CSV's rows as comparisons; a bad row is refused naming the file, the row and the field."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
    except OSError as exc:
        raise file_access_error(exc, path, "leggere il file dei confronti") from exc
    except UnicodeDecodeError as exc:
        raise ValutazioneError(f"Il file dei confronti «{path}» non è un testo UTF-8.") from exc
    if not rows or tuple(x.strip().lower() for x in rows[0]) != HEADER:
        raise RuleViolation(f"«{path.name}», riga 1: l'intestazione deve essere {';'.join(HEADER)}.")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in row):
            continue
        if len(row) != len(HEADER):
            raise RuleViolation(f"«{path.name}», riga {number}: attese {len(HEADER)} colonne, trovate {len(row)}.")
        a, b, preferred, degree = (x.strip() for x in row)
        try:
            value = Decimal(degree.replace(",", "."))
        except InvalidOperation:
            raise RuleViolation(f"«{path.name}», riga {number}, campo grado: «{degree}» non è un numero.") from None
        out.append(Comparison(a, b, preferred or None, value))
    return out


def cmd_save(args: argparse.Namespace) -> int:
    comparisons = read_comparisons(args.csv)
    with opened(args.file) as db, db.sessions.begin() as s:
        m = lookup.member_by_name(s, args.member)
        confirmed(s, args, m.id)
        sheet = save_comparisons(s, lookup.rules(s), m.id, args.sub_code.strip(), comparisons)
        name = m.name
    _printed(sheet, name)
    return 0
