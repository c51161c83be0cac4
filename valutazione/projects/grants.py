"""The grants of the latest final ranking: what a funded project's agreement may bind (*ammesso*)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import GraduatoriaVersion
from valutazione.ranking.stored import read_version


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
    return version.version, read_version(version.content_json).grants()
