"""The grants of the latest final ranking: what a funded project's agreement may bind (*ammesso*)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import GraduatoriaVersion
from valutazione.money import to_cents


def final_grants(session: Session) -> tuple[int | None, dict[str, int]]:
    """Grants (protocol → cents) of the latest *definitiva* ranking version; empty before one exists."""
    version = session.scalars(
        select(GraduatoriaVersion)
        .where(GraduatoriaVersion.state == "definitiva")
        .order_by(GraduatoriaVersion.version.desc())
        .limit(1)
    ).first()
    if version is None:
        return None, {}
    content = json.loads(version.content_json)
    grants: dict[str, int] = {}
    for row in content.get("rows", []):
        try:
            cents = to_cents(Decimal(str(row.get("grant", "0"))))
        except (InvalidOperation, ValueError):
            cents = 0
        if cents > 0:
            grants[str(row["protocol"])] = cents
    return version.version, grants
