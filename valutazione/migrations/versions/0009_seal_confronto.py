"""seal the pairwise comparisons already in the file

Revision ID: 0009
Revises: 0008

Comparisons (``confronto``, revision 0008) were first stored without row seals, so a hand edit of one would
have changed the ranking with nothing to catch it. They are sealed from now on by the session hook; the
rows a file already holds are sealed here as they stand, under the actor «aggiornamento 0009» (honest about
when the seal was taken, as revision 0003 did for the first seals). The log is append-only: the downgrade
leaves these rows in place.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
from sqlalchemy import Table, insert, select, update

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

ACTOR = "aggiornamento 0009"


def upgrade() -> None:
    from valutazione import audit
    from valutazione.models import AuditRow, BandoRow
    from valutazione.pairwise_tables import Confronto
    from valutazione.seals.rows import SEAL_ACTION, read_rows

    conn = op.get_bind()
    if conn.execute(select(BandoRow.code)).first() is None:
        return
    table = Confronto.__table__
    assert isinstance(table, Table)
    sealed = {
        i
        for (i,) in conn.execute(
            select(AuditRow.entity_id).where(AuditRow.action == SEAL_ACTION, AuditRow.entity == table.name)
        )
    }
    prev = conn.execute(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).scalar() or audit.GENESIS
    at = datetime.now(UTC)
    rows = []
    for row_id, digest in read_rows(conn, table):
        if str(row_id) in sealed:
            continue
        before_json, after_json = audit.canonical_json(None), audit.canonical_json({"sha256": digest})
        entity_id = str(row_id)
        h = audit.row_hash(prev, at, ACTOR, SEAL_ACTION, table.name, entity_id, before_json, after_json)
        rows.append(
            {
                "at": at,
                "actor": ACTOR,
                "action": SEAL_ACTION,
                "entity": table.name,
                "entity_id": entity_id,
                "before_json": before_json,
                "after_json": after_json,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
    if rows:
        conn.execute(insert(AuditRow), rows)
        conn.execute(update(BandoRow).values(audit_head=prev))


def downgrade() -> None:
    pass
