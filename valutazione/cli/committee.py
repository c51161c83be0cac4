"""Committee commands: declarations, conflicts and abstentions, admissibility, scores, ranking, draws, renunciations.

Each command is one transaction on the file (``db.sessions.begin()``): a refused step writes nothing.
Decisions taken from the command line are recorded in the audit log under the presidente's name when
the committee has one (the chair runs these commands), otherwise under the operating-system user.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from valutazione.backups import take_backup
from valutazione.cli.common import (
    chair_confirmed,
    chair_if_any,
    confirmed,
    number,
    option,
    password_option,
    target,
)
from valutazione.db import opened
from valutazione.errors import RuleViolation
from valutazione.money import format_decimal_it, format_euro
from valutazione.ranking.status import admissibility_label
from valutazione.services import (
    abstentions,
    admissibility,
    committee,
    conflicts,
    lookup,
    ranking,
    scores_csv,
    sedute,
    sheets,
)

DEFAULT_ADMISSIBLE = "Requisiti formali di ammissibilità verificati: nessuna irregolarità rilevata"
DEFAULT_RENUNCIATION = "Rinuncia comunicata dal beneficiario"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("declare", help="registra la dichiarazione generale di insussistenza di incompatibilità")
    p.add_argument("file", type=target)
    option(p, "--commissario", "--member", dest="member", required=True, metavar="NOME")
    option(p, "--testo", "--text", dest="text", default=committee.DEFAULT_DECLARATION)
    password_option(p, "del commissario")
    p.set_defaults(func=cmd_declare)

    p = sub.add_parser("conflict", help="dichiara un conflitto di interessi (o nessuno) su una domanda")
    p.add_argument("file", type=target)
    option(p, "--commissario", "--member", dest="member", required=True, metavar="NOME")
    option(p, "--protocollo", "--protocol", dest="protocol", required=True, metavar="PROTOCOLLO")
    g = p.add_mutually_exclusive_group(required=True)
    option(
        g,
        "--motivo",
        "--reason",
        dest="reason",
        metavar="MOTIVO",
        help="conflitto, con il motivo: il commissario si astiene",
    )
    option(g, "--nessuno", "--none", dest="none", action="store_true", help="nessun conflitto")
    password_option(p, "del commissario")
    p.set_defaults(func=cmd_conflict)

    p = sub.add_parser("astensione", help="astensioni dichiarate: elenco e ritiro da parte del presidente")
    acts = p.add_subparsers(dest="astensione_command", metavar="AZIONE", required=True)
    a = acts.add_parser("elenco", help="elenca le astensioni per domanda e commissario")
    a.add_argument("file", type=target)
    a.set_defaults(func=cmd_abstention_list)
    a = acts.add_parser("ritira", help="ritira un'astensione dichiarata per errore (il commissario la ridichiara)")
    a.add_argument("file", type=target)
    option(a, "--commissario", dest="member", required=True, metavar="NOME")
    option(a, "--protocollo", dest="protocol", required=True, metavar="PROTOCOLLO")
    option(a, "--motivo", dest="reason", required=True, metavar="MOTIVO")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_abstention_withdraw)

    p = sub.add_parser("admissibility", help="esito dell'ammissibilità formale, sempre motivato")
    p.add_argument("file", type=target)
    g = p.add_mutually_exclusive_group(required=True)
    option(
        g,
        "--tutte-ammissibili",
        "--all-admissible",
        dest="all_admissible",
        action="store_true",
        help="ammissibili tutte le domande non segnalate",
    )
    option(g, "--escludi", "--exclude", dest="exclude", metavar="PROTOCOLLO")
    option(g, "--non-ricevibile", "--not-receivable", dest="not_receivable", metavar="PROTOCOLLO")
    option(g, "--ammetti", "--admit", dest="admit", metavar="PROTOCOLLO")
    option(g, "--elenco", "--list", dest="list", action="store_true", help="elenca segnalazioni ed esiti")
    option(p, "--motivo", "--reason", dest="reason", metavar="MOTIVO")
    password_option(p, "del presidente")
    p.set_defaults(func=cmd_admissibility)

    p = sub.add_parser("scores", help="punteggi dei commissari")
    scores = p.add_subparsers(dest="scores_command", metavar="AZIONE", required=True)
    a = scores.add_parser("import", help="importa i punteggi da CSV come bozze (tutto o niente)")
    a.add_argument("file", type=target)
    a.add_argument("csv", type=Path, metavar="PUNTEGGI.csv")
    password_option(a, "del presidente")
    a.set_defaults(func=cmd_scores_import)
    a = scores.add_parser("submit", help="invia tutte le schede complete di un commissario")
    a.add_argument("file", type=target)
    option(a, "--commissario", "--member", dest="member", required=True, metavar="NOME")
    password_option(a, "del commissario")
    a.set_defaults(func=cmd_scores_submit)

    p = sub.add_parser("rank", help="calcola la graduatoria, o la approva come provvisoria o definitiva")
    p.add_argument("file", type=target)
    p.add_argument("--json", action="store_true")
    option(p, "--approva", "--approve", dest="approve", choices=ranking.STATES)
    option(p, "--motivo", "--reason", dest="reason", default="", metavar="MOTIVO")
    p.add_argument("--seduta", type=number, metavar="N", help="la seduta in cui la graduatoria è approvata")
    option(p, "--lotto", "--lot", dest="lot", default=None, metavar="CODICE", help="mostra solo questo lotto")
    password_option(p, "del presidente, per approvare")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("renounce", help="registra una rinuncia e fa scorrere la graduatoria")
    p.add_argument("file", type=target)
    p.add_argument("protocol", metavar="PROTOCOLLO")
    option(p, "--motivo", "--reason", dest="reason", default=DEFAULT_RENUNCIATION, metavar="MOTIVO")
    password_option(p, "del presidente")
    p.set_defaults(func=cmd_renounce)

    p = sub.add_parser("draw", help="registra l'esito del sorteggio pubblico per un gruppo in parità")
    p.add_argument("file", type=target)
    option(p, "--ordine", "--order", dest="order", required=True, metavar="P1,P2,...")
    option(p, "--nota", "--note", dest="note", default="")
    password_option(p, "del presidente")
    p.set_defaults(func=cmd_draw)


def cmd_declare(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        m = lookup.member_by_name(s, args.member)
        confirmed(s, args, m.id)  # a declaration is the member's own: their password, if set
        committee.declare_general(s, m.id, args.text)
        print(f"Registrata la dichiarazione generale di {m.name}.")
    return 0


def cmd_conflict(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        m, d = lookup.member_by_name(s, args.member), lookup.domanda_by_protocol(s, args.protocol)
        confirmed(s, args, m.id)  # a declaration is the member's own: their password, if set
        conflicts.declare(s, m.id, d.id, not args.none, args.reason or "")
        print(f"{m.name}: {'nessun conflitto' if args.none else 'conflitto, si astiene'} sulla domanda {d.protocol}.")
    return 0


def cmd_abstention_list(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        rows = abstentions.list_abstentions(s)
    if not rows:
        print("Nessuna astensione dichiarata.")
    for a in rows:
        print(f"{a.protocol:<14} {a.member:<30} {a.declared_at:%d/%m/%Y} {a.reason}")
    return 0


def cmd_abstention_withdraw(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_confirmed(s, args)
        m, d = lookup.member_by_name(s, args.member), lookup.domanda_by_protocol(s, args.protocol)
        info = abstentions.withdraw_abstention(s, m.id, d.id, args.reason, who)
    print(
        f"Ritirata l'astensione di {info.member} sulla domanda {info.protocol}: "
        "alla prossima apertura della domanda il commissario dichiara di nuovo."
    )
    return 0


def cmd_admissibility(args: argparse.Namespace) -> int:
    if args.list:
        with opened(args.file, read_only=True) as db, db.sessions() as s:
            for item in admissibility.checklist(s):
                pending = "soccorso in attesa" if item.rescue_pending else "da decidere"
                outcome = admissibility_label(item.outcome, undecided=pending)
                flags = "; ".join(f"{rule}: {detail}" for rule, detail in item.flags) or "nessuna segnalazione"
                print(f"{item.protocol:<14} {outcome:<15} {flags}")
        return 0
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_if_any(s, args)
        if args.all_admissible:
            done = admissibility.mark_all_admissible(s, who, args.reason or DEFAULT_ADMISSIBLE)
            left = [d.protocol for d in admissibility.undecided(s)]
            print(f"Dichiarate ammissibili {len(done)} domande.")
            if left:
                print(f"Da decidere singolarmente (segnalate o con soccorso in attesa): {', '.join(left)}")
            return 0
        protocol, outcome = next(
            (p, o)
            for p, o in (
                (args.exclude, admissibility.ESCLUSA),
                (args.not_receivable, admissibility.NON_RICEVIBILE),
                (args.admit, admissibility.AMMISSIBILE),
            )
            if p
        )
        if not args.reason:
            raise RuleViolation(f"Indicare il motivo dell'esito per la domanda {protocol} con --reason.")
        d = lookup.domanda_by_protocol(s, protocol)
        admissibility.decide(s, d.id, outcome, args.reason, who)
        print(f"Domanda {d.protocol}: {admissibility_label(outcome)} ({args.reason.strip()}).")
    return 0


def cmd_scores_import(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        report = scores_csv.import_scores(s, args.csv, chair_if_any(s, args))
    print(f"Importati {report.rows} punteggi in {report.sheets} schede (bozze) di {', '.join(report.members)}.")
    return 0


def cmd_scores_submit(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        m = lookup.member_by_name(s, args.member)
        confirmed(s, args, m.id)  # sending locks the member's sheets: their act, their password if set
        done = sheets.submit_all_complete(s, m.id)
        aside = sheets.set_aside_drafts(s, m.id)
    print(f"Inviate {len(done)} schede di {m.name}.")
    if aside:
        print(
            f"Bozze non inviate perché la domanda è ora in conflitto di interessi o esclusa: {', '.join(aside)} "
            "(restano nel file, non bloccano le altre schede)."
        )
    return 0


def rank_payload(computed: ranking.Computed, state: str, version: int | None, lot: str | None = None) -> dict[str, Any]:
    """The ranking as ``rank --json`` prints it: money and points as decimal strings; rows carry their lot
    in a call divided into lots, and ``lot`` keeps only that lot's rows and summary."""
    data = computed.ranking.to_dict()
    keys = ("position", "protocol", "applicant", "points", "status", "grant", "tie", "lot", "funding_note")
    rows = [row for row in data["rows"] if lot is None or row.get("lot") == lot]
    extra: dict[str, Any] = {k: data[k] for k in ("lots", "redistribution") if k in data}
    if lot is not None:
        extra["lots"] = [x for x in extra.get("lots", []) if x["code"] == lot]
    return {
        **extra,
        "bando": data["bando"],
        "state": state,
        "version": version,
        "fingerprint": computed.fingerprint(),
        "budget": data["budget"],
        "allocated": data["allocated"],
        "remaining": data["remaining"],
        "rows": [{k: row[k] for k in keys if k in row} for row in rows],
        "warnings": computed.warnings,
        "can_be_final": computed.can_be_final,
        "reasons": list(computed.reasons),
    }


def cmd_rank(args: argparse.Namespace) -> int:
    state: str = ranking.COMPUTED
    version: int | None = None
    with opened(args.file, read_only=not args.approve) as db, db.sessions.begin() as s:
        if args.approve:
            seduta_id = sedute.seduta_by_number(s, args.seduta).id if args.seduta else None
            row = ranking.approve(s, args.approve, chair_if_any(s, args), args.reason, seduta_id)
            state, version = row.state, row.version
        computed = ranking.compute(s)
        last = ranking.latest(s)
        if not args.approve and last is not None and last.fingerprint == computed.fingerprint():
            state, version = last.state, last.version
    if args.approve:
        take_backup(args.file, f"approvazione graduatoria {state}")
    lot = args.lot.strip() if args.lot else None
    known = [x.code for x in computed.ranking.lots]
    if lot is not None and lot not in known:
        where = f"lotti del bando: {', '.join(known)}" if known else "il bando non è diviso in lotti"
        raise RuleViolation(f"Lotto «{lot}» non previsto ({where}).")
    payload = rank_payload(computed, state, version, lot)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render_rank(computed, payload, lot))
    return 0


def render_rank(computed: ranking.Computed, payload: dict[str, Any], lot: str | None = None) -> str:
    g = computed.ranking
    shown = f"versione {payload['version']}, {payload['state']}" if payload["version"] else "non approvata"
    lines = [f"Graduatoria {g.bando_code} ({shown}) – impronta {payload['fingerprint'][:16]}…", ""]
    codes = [code for code, _ in g.rows[0].criteria_final] if g.rows else []
    lines.append(
        f"{'pos':>4} {'protocollo':<14} {'proponente':<36} "
        + " ".join(f"{c:>6}" for c in codes)
        + f" {'totale':>7}  {'esito':<17} {'contributo':>14}"
    )
    for r in g.rows:
        if lot is not None and r.lot != lot:
            continue
        points = " ".join(f"{format_decimal_it(v):>6}" for _, v in r.criteria_final)
        tie = f" [parità {r.tie}]" if r.tie else ""
        applicant = r.applicant if len(r.applicant) <= 36 else r.applicant[:35] + "…"
        lines.append(
            f"{r.position or '-':>4} {r.protocol:<14} {applicant:<36} {points} {format_decimal_it(r.total_final):>7}  "
            f"{r.status.short:<17} {format_euro(r.grant_cents):>14}{tie}" + (f"  [{r.lot}]" if r.lot else "")
        )
    lines += [
        "",
        f"Budget {format_euro(g.budget_cents)} · assegnato {format_euro(g.allocated_cents)} · "
        f"residuo {format_euro(g.remaining_cents)}",
    ]
    lines += [
        f"Lotto {x.code} ({x.name}): dotazione {format_euro(x.budget_cents)} · assegnato "
        f"{format_euro(x.allocated_cents)} · residuo {format_euro(x.remaining_cents)}"
        for x in g.lots
        if lot is None or x.code == lot
    ]
    if g.redistribution is not None:
        lines.append(
            f"Residui ({g.redistribution.rule}): {format_euro(g.redistribution.pool_cents)} non usati, "
            f"{format_euro(g.redistribution.redistributed_cents)} ridistribuiti"
        )
    if computed.warnings:
        lines += ["", "Avvisi:"] + [f"- {w['message']}" for w in computed.warnings]
    if computed.reasons:
        lines += ["", "Non può ancora diventare definitiva:"] + [f"- {r}" for r in computed.reasons]
    return "\n".join(lines)


def cmd_renounce(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        who = chair_if_any(s, args)
        ranking.renounce(s, args.protocol, args.reason, who)
        row = ranking.slide(s, who, f"Scorrimento per rinuncia della domanda {args.protocol.strip()}")
    take_backup(args.file, "scorrimento graduatoria")
    print(f"Registrata la rinuncia di {args.protocol}; graduatoria provvisoria versione {row.version} (scorrimento).")
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    order = [p.strip() for p in args.order.split(",") if p.strip()]
    with opened(args.file) as db, db.sessions.begin() as s:
        ranking.record_draw(s, order, chair_if_any(s, args), args.note)
    print(f"Registrato il sorteggio: {', '.join(order)}.")
    return 0
