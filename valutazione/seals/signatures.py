"""The members' own signatures, kept: every sheet merged from a return still matches what its member signed.

When a return is merged, its signed payload and the Ed25519 signature are stored (as content-addressed
blobs) and the merge's log row names them with the member's key. Verification checks each stored
signature again and that every sending logged by a merge («pacchetto» N) carries the hash the member
signed for that application in return N. The chair holds the file but not the member's private key: a
sheet changed after the merge, even with every hash in the file rewritten to match, fails here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import AuditRow, Blob
from valutazione.seals.report import BrokenSeal

MERGED_ACTION = "pacchetto.ritorno.importato"
SENT = "scheda.inviata"


def _keep(session: Session, data: bytes, digest: str | None = None) -> str:
    digest = digest or hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(data), data=data))
    return digest


def keep_signed_return(
    session: Session, payload: bytes, signature: bytes, public_key: str, payload_sha256: str
) -> dict[str, str]:
    """Stores the signed return; returns what the merge's log row records about it.

    ``payload_sha256`` is the payload's digest as the return was read (``SignedReturn.payload_sha256``,
    taken over the same bytes): hashing 14 MB again for each return of 5,000 sheets cost 30 ms.
    """
    return {
        "firma": _keep(session, signature),
        "ritorno": _keep(session, payload, payload_sha256),
        "chiave": public_key,
    }


def check_signed_returns(session: Session) -> list[BrokenSeal]:
    from valutazione.sync.keys import verify

    broken: list[BrokenSeal] = []
    signed: dict[tuple[str, int], dict[str, str | None]] = {}  # (member, sequence) -> protocol -> hash signed
    merges = select(AuditRow.id, AuditRow.after_json).where(AuditRow.action == MERGED_ACTION).order_by(AuditRow.id)
    for audit_id, after in session.execute(merges):
        info: dict[str, Any] = json.loads(after)
        if "firma" not in info:
            continue  # merged before signatures were kept
        obj = f"Ritorno n. {info.get('sequenza')} di {info.get('commissario')}"
        payload = session.scalar(select(Blob.data).where(Blob.sha256 == info["ritorno"]))
        signature = session.scalar(select(Blob.data).where(Blob.sha256 == info["firma"]))
        if payload is None or signature is None:
            lost = f"il ritorno firmato registrato alla riga {audit_id} non è più nel file"
            broken.append(BrokenSeal("firma", obj, lost))
            continue
        if hashlib.sha256(payload).hexdigest() != info["ritorno"] or not verify(info["chiave"], payload, signature):
            broken.append(BrokenSeal("firma", obj, "la firma del commissario sul ritorno non è più valida"))
            continue
        data = json.loads(payload)
        signed[(str(info.get("commissario")), int(info.get("sequenza") or 0))] = {
            str(sh["protocol"]): sh.get("content_hash") for sh in data.get("sheets", []) if sh.get("state") == "inviata"
        }
    if not signed:
        return broken
    sends = (
        select(AuditRow.id, AuditRow.after_json)
        .where(AuditRow.action == SENT, AuditRow.after_json.contains('"pacchetto":'))
        .order_by(AuditRow.id)
    )
    for audit_id, after in session.execute(sends):
        content = json.loads(after)
        member, protocol = str(content.get("commissario")), str(content.get("protocollo"))
        by_protocol = signed.get((member, int(content.get("pacchetto") or 0)))
        if by_protocol is None:
            continue
        if by_protocol.get(protocol) != content.get("hash"):
            broken.append(
                BrokenSeal(
                    "firma",
                    f"Scheda di {member} su {protocol}",
                    "non corrisponde a quanto firmato "
                    f"dal commissario nel ritorno n. {content.get('pacchetto')} (riga {audit_id})",
                )
            )
    return broken
