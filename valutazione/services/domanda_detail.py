"""One application in full, as the evaluation screen shows it: fields, flags, decision, attachments.

The record carries raw values (cents, aware datetimes, the zone as the call lists it and as typed);
the labels and the formatting are the screen's. Attachment bytes are read on demand, by hash, because
a file of thousands of applications holds gigabytes of PDFs that a list never needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.errors import NotFoundError
from valutazione.models import Ammissibilita, Blob, Domanda


@dataclass(frozen=True)
class AttachmentInfo:
    filename: str
    sha256: str | None
    size: int


@dataclass(frozen=True)
class DomandaFacts:
    """An application read inside a session; ``zone_name`` None when no zone of the call matched."""

    id: int
    protocol: str
    submitted_at: datetime
    applicant: str
    legal_form: str
    tax_code: str
    vat_number: str
    legal_representative: str
    pec: str
    title: str
    abstract: str
    zone_number: int | None
    zone_name: str | None
    zone_text: str
    total_cost_cents: int
    grant_cents: int
    cofinancing_cents: int
    duration_months: int | None
    outcome: str | None
    outcome_reason: str
    flags: tuple[tuple[str, str], ...]
    attachments: tuple[AttachmentInfo, ...]


def domanda_facts(s: Session, domanda_id: int) -> DomandaFacts:
    """Everything the detail screen shows about one application; refuses an unknown id."""
    d = s.get(Domanda, domanda_id)
    if d is None:
        raise NotFoundError(f"Nessuna domanda con identificativo {domanda_id}.")
    decision = s.scalars(select(Ammissibilita).where(Ammissibilita.domanda_id == domanda_id)).first()
    hashes = [a.sha256 for a in d.allegati if a.sha256]
    sizes = {b.sha256: b.size for b in s.scalars(select(Blob).where(Blob.sha256.in_(hashes)))} if hashes else {}
    return DomandaFacts(
        id=d.id,
        protocol=d.protocol,
        submitted_at=d.submitted_at,
        applicant=d.applicant,
        legal_form=d.legal_form or "",
        tax_code=d.tax_code or "",
        vat_number=d.vat_number or "",
        legal_representative=d.legal_representative or "",
        pec=d.pec or "",
        title=d.title,
        abstract=d.abstract,
        zone_number=d.zona.number if d.zona else None,
        zone_name=d.zona.name if d.zona else None,
        zone_text=d.zone_text or "",
        total_cost_cents=d.total_cost_cents,
        grant_cents=d.grant_cents,
        cofinancing_cents=d.cofinancing_cents,
        duration_months=d.duration_months,
        outcome=decision.outcome if decision else None,
        outcome_reason=decision.reason if decision else "",
        flags=tuple((f.rule, f.detail) for f in d.flags),
        attachments=tuple(
            AttachmentInfo(a.filename, a.sha256, sizes.get(a.sha256 or "", 0))
            for a in sorted(d.allegati, key=lambda a: a.filename)
        ),
    )


def attachment_bytes(s: Session, sha256: str) -> bytes:
    """The stored bytes of one attachment; empty when the file holds no blob with that hash."""
    blob = s.get(Blob, sha256)
    return b"" if blob is None else bytes(blob.data)
