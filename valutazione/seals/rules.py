"""The seal of the call's rules: hashed when they are locked (and at every logged change after), compared.

``services.rules`` logs the SHA-256 of the stored rules when it locks them and with every change made
after the lock; any later difference between the stored rules and the last logged hash is a change that
escaped the log. Rules that the log says were locked but the file says are not, likewise.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import AuditRow, BandoRow
from valutazione.seals.report import BrokenSeal, when_it

LOCKED, CHANGED = "bando.regole_bloccate", "bando.regole_modificate"


def rules_digest(rules_json: str) -> str:
    return hashlib.sha256(rules_json.encode("utf-8")).hexdigest()


def check_rules(session: Session) -> list[BrokenSeal]:
    row = session.execute(select(BandoRow.code, BandoRow.rules_json, BandoRow.rules_locked_at)).first()
    if row is None:
        if session.scalar(select(AuditRow.id).limit(1)) is None:
            return []  # a file being created: its first flush writes the rules
        return [BrokenSeal("regole", "Bando", "il file non contiene più le regole del bando")]
    code, rules_json, locked_at = row
    query = (
        select(AuditRow.action, AuditRow.after_json, AuditRow.at)
        .where(AuditRow.action.in_((LOCKED, CHANGED)))
        .order_by(AuditRow.id)
    )
    expected, locked_logged, when = None, False, None
    for action, after, at in session.execute(query):
        locked_logged = locked_logged or action == LOCKED
        digest = json.loads(after).get("sha256") if after.startswith("{") else None
        if digest:
            expected, when = digest, at
    obj = f"Regole del bando {code}"
    if locked_logged and locked_at is None:
        return [BrokenSeal("regole", obj, "il registro le dà bloccate, ma nel file risultano sbloccate")]
    if expected is not None and when is not None and rules_digest(rules_json) != expected:
        return [
            BrokenSeal(
                "regole",
                obj,
                f"non corrispondono all'impronta registrata il {when_it(when)} (blocco o ultima modifica)",
            )
        ]
    return []
