"""Funded projects from the command line: agreements, payments, tailored support, indicators, the four figures.

Refusals (over the binding amount, before the agreement, hours beyond the plan without a reason) are
``RuleViolation``: the CLI prints the Italian message and exits 2, as for every other rule.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from valutazione.backups import take_backup
from valutazione.cli.common import chair_confirmed, chair_if_any, option, parse_day, password_option, target
from valutazione.cli.common import number as common_number
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.importers.parsing import parse_amount
from valutazione.money import format_euro, from_cents
from valutazione.projects import agreements, impacts, monitoring, payments, support
from valutazione.projects.counter_entries import counter_entry
from valutazione.projects.grants import final_grants
from valutazione.projects.numbers import parse_number as number  # the one reading of a typed number
from valutazione.projects.states import RENOUNCED, REVOKED
from valutazione.services import lookup


def add_parser(sub: Any) -> None:
    p = sub.add_parser("convenzione", help="convenzioni dei progetti finanziati (rendono vincolante il contributo)")
    acts = p.add_subparsers(dest="convenzione_command", metavar="AZIONE", required=True)
    a = acts.add_parser("add", help="registra la convenzione firmata")
    _file_protocol(a)
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA", help="data di firma")
    a.add_argument("--importo", metavar="EURO", help="importo (predefinito: il contributo; se minore, con --motivo)")
    a.add_argument("--inizio", metavar="GG/MM/AAAA", help="inizio del progetto (predefinito: data di firma)")
    a.add_argument("--fine", metavar="GG/MM/AAAA", help="fine del progetto (predefinito: inizio + durata)")
    a.add_argument("--cup", default="")
    a.add_argument("--atto", default="", help="numero di repertorio o dell'atto di concessione")
    a.add_argument("--motivo", default="", help="motivo della rideterminazione, se l'importo è inferiore")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_agreement_add)
    a = acts.add_parser("ridetermina", help="riduce l'importo vincolante, con il motivo")
    _file_protocol(a)
    a.add_argument("--importo", required=True, metavar="EURO")
    a.add_argument("--motivo", required=True)
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_agreement_redetermine)
    for name, state in (("revoca", REVOKED), ("rinuncia", RENOUNCED)):
        a = acts.add_parser(name, help=f"registra la {name} dopo la convenzione e fa scorrere la graduatoria")
        _file_protocol(a)
        a.add_argument("--data", required=True, metavar="GG/MM/AAAA")
        a.add_argument("--motivo", required=True)
        a.add_argument("--senza-scorrimento", action="store_true", help="registra soltanto, senza nuova versione")
        password_option(a, "del presidente")
        a.set_defaults(func=cmd_agreement_close, state=state)

    p = sub.add_parser("erogazione", help="erogazioni: anticipo, SAL, saldo, recupero")
    acts = p.add_subparsers(dest="erogazione_command", metavar="AZIONE", required=True)
    a = acts.add_parser("add", help="registra un'erogazione")
    _file_protocol(a)
    a.add_argument("--tipo", required=True, choices=tuple(payments.TYPES))
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA")
    a.add_argument("--importo", required=True, metavar="EURO")
    a.add_argument("--atto", default="", help="numero dell'atto di liquidazione o del mandato")
    a.add_argument("--nota", default="")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_payment_add)
    a = acts.add_parser("elenco", help="elenca le erogazioni di una domanda, con il numero per lo storno")
    _file_protocol(a)
    a.set_defaults(func=cmd_payment_list)
    a = acts.add_parser("storno", help="annulla un'erogazione errata con un recupero dello stesso importo")
    _file_protocol(a)
    option(a, "--numero", dest="payment", required=True, type=common_number, metavar="N", help="come da «elenco»")
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA", help="data dello storno")
    option(a, "--motivo", dest="reason", required=True, metavar="MOTIVO")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_payment_reverse)

    p = sub.add_parser("affiancamento", help="affiancamento personalizzato: piano e incontri")
    acts = p.add_subparsers(dest="affiancamento_command", metavar="AZIONE", required=True)
    a = acts.add_parser("piano", help="aggiunge o modifica una fase del piano")
    _file_protocol(a)
    a.add_argument("--fase", required=True)
    a.add_argument("--ore", required=True)
    a.add_argument("--affiancatore", default="", help="chi svolge l'affiancamento")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_support_plan)
    a = acts.add_parser("sessione", help="registra un incontro di affiancamento")
    _file_protocol(a)
    a.add_argument("--fase", required=True)
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA")
    a.add_argument("--ore", required=True)
    a.add_argument("--argomento", required=True)
    option(a, "--nota", "--note", dest="note", default="")
    a.add_argument("--prossimi-passi", default="")
    a.add_argument("--motivo-extra", default="", help="motivo delle ore oltre il piano")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_support_session)
    a = acts.add_parser("stato", help="ore del piano, svolte e dovute a oggi")
    _file_protocol(a)
    a.add_argument("--al", metavar="GG/MM/AAAA", help="data di riferimento (predefinita: oggi)")
    a.set_defaults(func=cmd_support_status)

    p = sub.add_parser("indicatori", help="ricadute attese: obiettivi e valori rilevati")
    acts = p.add_subparsers(dest="indicatori_command", metavar="AZIONE", required=True)
    a = acts.add_parser("obiettivo", help="valore di partenza e obiettivo di un indicatore")
    _file_protocol(a)
    a.add_argument("--indicatore", required=True, metavar="CODICE")
    a.add_argument("--partenza", required=True)
    a.add_argument("--obiettivo", required=True)
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_indicator_target)
    a = acts.add_parser("valore", help="valore rilevato in una data")
    _file_protocol(a)
    a.add_argument("--indicatore", required=True, metavar="CODICE")
    a.add_argument("--data", required=True, metavar="GG/MM/AAAA")
    a.add_argument("--valore", required=True)
    a.add_argument("--nota", default="")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_indicator_value)

    p = sub.add_parser("finanze", help="programmato, ammesso, vincolante, erogato (calcolati)")
    p.add_argument("file", type=target)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_finance)


def _file_protocol(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=target)
    p.add_argument("protocol", metavar="PROTOCOLLO")


def cents(text: str) -> int:
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise RuleViolation(f"Importo non valido: {exc} (per esempio 12.345,00).") from exc


def cmd_agreement_add(args: argparse.Namespace) -> int:
    signed = parse_day(args.data, "data di firma")
    with opened(args.file) as db, db.sessions.begin() as s:
        start = parse_day(args.inizio, "data di inizio") if args.inizio else signed
        if args.fine:
            end = parse_day(args.fine, "data di fine")
        else:
            months = lookup.domanda_by_protocol(s, args.protocol).duration_months or 12
            year, month = divmod(start.month - 1 + months, 12)
            end = date(start.year + year, month + 1, min(start.day, 28))
        amount = cents(args.importo) if args.importo else final_grants(s)[1].get(args.protocol.strip(), 0)
        info = agreements.sign(
            s,
            chair_if_any(s, args),
            args.protocol,
            signed_on=signed,
            amount_cents=amount,
            start_on=start,
            end_on=end,
            cup=args.cup,
            act=args.atto,
            reason=args.motivo,
        )
    print(
        f"Convenzione di {info.protocol} registrata: {format_euro(info.amount_cents)} giuridicamente vincolanti, "
        f"progetto dal {info.start_on:%d/%m/%Y} al {info.end_on:%d/%m/%Y}."
    )
    return 0


def cmd_agreement_redetermine(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        info = agreements.redetermine(s, chair_if_any(s, args), args.protocol, cents(args.importo), args.motivo)
    print(f"Convenzione di {info.protocol} rideterminata a {format_euro(info.amount_cents)}.")
    return 0


def cmd_agreement_close(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        done = agreements.close_and_slide(
            s,
            chair_if_any(s, args),
            args.protocol,
            args.state,
            parse_day(args.data),
            args.motivo,
            slide=not args.senza_scorrimento,
        )
    print(f"Convenzione di {args.protocol} {args.state}: liberati {format_euro(done.freed_cents)}.")
    if done.version is None:
        print("Scorrimento non eseguito: la rinuncia è registrata in graduatoria.")
        return 0
    take_backup(args.file, "scorrimento graduatoria")
    print(f"Proposta: graduatoria provvisoria versione {done.version} (scorrimento), da approvare come definitiva.")
    print("Entrano fra i finanziati: " + (", ".join(done.entering) if done.entering else "nessuna domanda"))
    return 0


def cmd_payment_add(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        info = payments.record(
            s,
            chair_if_any(s, args),
            args.protocol,
            args.tipo,
            parse_day(args.data),
            cents(args.importo),
            args.atto,
            args.nota,
        )
    print(f"Erogazione ({payments.TYPES[info.kind]}) di {format_euro(info.amount_cents)} a {info.protocol} registrata.")
    return 0


def cmd_payment_list(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        rows = payments.list_payments(s, args.protocol)
        cancelled = payments.reversed_ids(s, lookup.domanda_by_protocol(s, args.protocol).id)
    if not rows:
        print(f"Nessuna erogazione registrata per {args.protocol.strip()}.")
    for p in rows:
        state = " (stornata)" if p.id in cancelled else ""
        extra = " · ".join(x for x in (p.act, p.note) if x)
        amount = format_euro(p.amount_cents)
        print(f"n. {p.id:<5} {p.on_day:%d/%m/%Y} {payments.TYPES[p.kind]:<9} {amount:>14}{state}  {extra}")
    return 0


def cmd_payment_reverse(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_confirmed(s, args)
        if args.payment not in {p.id for p in payments.list_payments(s, args.protocol)}:
            raise RuleViolation(f"L'erogazione n. {args.payment} non è tra quelle di {args.protocol.strip()}.")
        info = counter_entry(s, who, args.payment, parse_day(args.data, "data dello storno"), args.reason)
    print(f"Stornata l'erogazione n. {args.payment} di {info.protocol}: recupero di {format_euro(info.amount_cents)}.")
    return 0


def cmd_support_plan(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        phase = support.plan_phase(
            s, chair_if_any(s, args), args.protocol, args.fase, number(args.ore, "Ore"), args.affiancatore
        )
    print(f"Piano di affiancamento di {args.protocol}: fase «{phase.name}», {phase.planned} ore.")
    return 0


def cmd_support_session(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        info = support.log_session(
            s,
            chair_if_any(s, args),
            args.protocol,
            args.fase,
            parse_day(args.data),
            number(args.ore, "Ore"),
            args.argomento,
            args.note,
            args.prossimi_passi,
            args.motivo_extra,
        )
    print(f"Affiancamento di {args.protocol} registrato: {info.hours} ore, fase «{info.phase}».")
    return 0


def cmd_support_status(args: argparse.Namespace) -> int:
    today = parse_day(args.al) if args.al else date.today()
    with opened(args.file, read_only=True) as db, db.sessions.begin() as s:
        st = support.status(s, args.protocol, today)
    for p in st.phases:
        print(f"{p.name}: {p.used} di {p.planned} ore ({p.mentor or 'affiancatore non indicato'})")
    print(f"Totale: {st.used} di {st.planned} ore; dovute al {today:%d/%m/%Y}: {st.due}.")
    if st.behind:
        print("ATTENZIONE: l'affiancamento è in ritardo rispetto al piano.")
    return 0


def cmd_indicator_target(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        impacts.set_target(
            s,
            chair_if_any(s, args),
            args.protocol,
            args.indicatore,
            number(args.partenza, "Valore di partenza"),
            number(args.obiettivo, "Obiettivo"),
        )
    print(f"Indicatore {args.indicatore} di {args.protocol}: obiettivo registrato.")
    return 0


def cmd_indicator_value(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        impacts.report_value(
            s,
            chair_if_any(s, args),
            args.protocol,
            args.indicatore,
            parse_day(args.data),
            number(args.valore, "Valore"),
            args.nota,
        )
    print(f"Indicatore {args.indicatore} di {args.protocol}: valore del {args.data} registrato.")
    return 0


def _money(c: int) -> str:
    return str(from_cents(c))


def cmd_finance(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions.begin() as s:
        sm = monitoring.summary(s)
    problems = monitoring.check_nesting(sm)
    if args.json:
        payload = {
            "programmato": _money(sm.programmato_cents),
            "ammesso": _money(sm.ammesso_cents),
            "vincolante": _money(sm.vincolante_cents),
            "erogato": _money(sm.erogato_cents),
            "versione_graduatoria": sm.ranking_version,
            "beneficiari": [
                {
                    "protocol": x.protocol,
                    "zona": x.zone,
                    "stato": x.state,
                    **({"lotto": x.lot} if x.lot else {}),
                    "ammesso": _money(x.figures.ammesso_cents),
                    "vincolante": _money(x.figures.vincolante_cents),
                    "erogato": _money(x.figures.erogato_cents),
                }
                for x in sm.lines
            ],
            "zone": [
                {
                    "zona": z,
                    "ammesso": _money(f.ammesso_cents),
                    "vincolante": _money(f.vincolante_cents),
                    "erogato": _money(f.erogato_cents),
                }
                for z, f in sm.by_zone
            ],
            **(
                {
                    "lotti": [
                        {
                            "lotto": code,
                            "ammesso": _money(f.ammesso_cents),
                            "vincolante": _money(f.vincolante_cents),
                            "erogato": _money(f.erogato_cents),
                        }
                        for code, f in sm.by_lot
                    ]
                }
                if sm.by_lot
                else {}
            ),
            "anomalie": problems,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"Programmato:               {format_euro(sm.programmato_cents)}")
    print(f"Ammesso a finanziamento:   {format_euro(sm.ammesso_cents)}")
    print(f"Giuridicamente vincolante: {format_euro(sm.vincolante_cents)}")
    print(f"Erogato:                   {format_euro(sm.erogato_cents)}")
    for x in sm.lines:
        f = x.figures
        print(
            f"  {x.protocol}  {x.state:<16} {format_euro(f.ammesso_cents):>14} {format_euro(f.vincolante_cents):>14}"
            f" {format_euro(f.erogato_cents):>14}" + (f"  [{x.lot}]" if x.lot else "")
        )
    for code, f in sm.by_lot:
        print(
            f"Lotto {code:<8} ammesso {format_euro(f.ammesso_cents)}, vincolante {format_euro(f.vincolante_cents)}, "
            f"erogato {format_euro(f.erogato_cents)}"
        )
    for problem in problems:
        print(f"ANOMALIA: {problem}")
    return 0
