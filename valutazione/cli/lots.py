"""Lots of a call divided into lots: ``lotto`` puts an application in a lot, ``lotti`` shows each lot's money.

Setting a lot is a decision (it decides which ranking the application competes in): one transaction,
a mandatory reason, an audit row under the chair's name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from valutazione.cli.common import chair_if_any, option, password_option
from valutazione.db import opened
from valutazione.money import format_euro
from valutazione.services import lots


def add_parser(sub: Any) -> None:
    p = sub.add_parser("lotto", help="indica o cambia il lotto (linea, ambito) di una domanda, con il motivo")
    p.add_argument("file", type=Path)
    p.add_argument("protocol", metavar="PROTOCOLLO")
    p.add_argument("lot", metavar="LOTTO", help="il codice del lotto nel bando")
    option(p, "--motivo", "--reason", dest="reason", required=True, metavar="MOTIVO")
    password_option(p, "del presidente")
    p.set_defaults(func=cmd_lotto)

    p = sub.add_parser("lotti", help="i lotti del bando: dotazione, quota riservata, assegnato, residuo")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lotti)


def cmd_lotto(args: argparse.Namespace) -> int:
    with opened(args.file) as db, db.sessions.begin() as s:
        before = lots.set_lot(s, args.protocol, args.lot.strip(), args.reason, chair_if_any(s, args))
    was = f" (prima: {before})" if before else ""
    print(f"Domanda {args.protocol.strip()}: lotto {args.lot.strip()}{was}.")
    return 0


def cmd_lotti(args: argparse.Namespace) -> int:
    with opened(args.file, read_only=True) as db, db.sessions() as s:
        view = lots.overview(s)
    if view is None:
        print("Il bando non è diviso in lotti.")
        return 0
    if args.json:
        print(json.dumps(overview_payload(view), ensure_ascii=False, indent=2))
        return 0
    for bar in view.lots:
        quota = f", quota riservata {format_euro(bar.quota_reserved_cents)}" if bar.quota_reserved_cents else ""
        received = f", ricevuto {format_euro(bar.received_cents)}" if bar.received_cents else ""
        print(
            f"{bar.code:<8} {bar.name}: dotazione {format_euro(bar.budget_cents)}{quota}; assegnato "
            f"{format_euro(bar.used_cents)}{received}; residuo {format_euro(bar.left_cents)} "
            f"({bar.funded} finanziate su {bar.ranked} in graduatoria)"
        )
    print(
        f"Residui ({view.residual_rule}): {format_euro(view.pool_cents)} non usati dai lotti, "
        f"{format_euro(view.redistributed_cents)} ridistribuiti."
    )
    return 0


def overview_payload(view: lots.LotsOverview) -> dict[str, Any]:
    return {
        "lots": [
            {
                "code": b.code,
                "name": b.name,
                "budget_cents": b.budget_cents,
                "quota_reserved_cents": b.quota_reserved_cents,
                "quota_used_cents": b.quota_used_cents,
                "used_cents": b.used_cents,
                "received_cents": b.received_cents,
                "left_cents": b.left_cents,
                "ranked": b.ranked,
                "funded": b.funded,
            }
            for b in view.lots
        ],
        "residual_rule": view.residual_rule,
        "pool_cents": view.pool_cents,
        "redistributed_cents": view.redistributed_cents,
    }
