"""seal the decisive rows of files made before seals existed

Revision ID: 0003
Revises: 0002

A file written before this version has decisive rows without a ``sigillo`` log row and locked rules
without a logged hash; verification would call every one of them broken. The upgrade seals them as they
stand, in the log, under the actor «aggiornamento 0003»: honest about when the seal was taken (at the
upgrade, not at the decision), and from then on any change underneath is caught. A new file has nothing
to seal. The log is append-only, so the downgrade leaves these rows in place.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
from sqlalchemy import Table, func, insert, inspect, select, update

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

ACTOR = "aggiornamento 0003"


def upgrade() -> None:
    from valutazione import audit
    from valutazione.models import AuditRow, BandoRow
    from valutazione.seals.rows import SEAL_ACTION, SEALED_TABLES, read_rows
    from valutazione.seals.rules import LOCKED, rules_digest

    conn = op.get_bind()
    bando = conn.execute(select(BandoRow.code, BandoRow.rules_json, BandoRow.rules_locked_at)).first()
    if bando is None:
        return
    sealed = {
        (e, i)
        for e, i in conn.execute(select(AuditRow.entity, AuditRow.entity_id).where(AuditRow.action == SEAL_ACTION))
    }
    prev = conn.execute(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).scalar() or audit.GENESIS
    at = datetime.now(UTC)
    rows = []

    def add(action: str, entity: str, entity_id: str, after: object) -> None:
        nonlocal prev
        before_json, after_json = audit.canonical_json(None), audit.canonical_json(after)
        digest = audit.row_hash(prev, at, ACTOR, action, entity, entity_id, before_json, after_json)
        rows.append(
            {
                "at": at,
                "actor": ACTOR,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before_json": before_json,
                "after_json": after_json,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest

    code, rules_json, locked_at = bando
    hashed = conn.execute(
        select(func.count(AuditRow.id)).where(AuditRow.action == LOCKED, AuditRow.after_json.contains('"sha256":'))
    ).scalar()
    if locked_at is not None and not hashed:
        add(LOCKED, "bando", code, {"bloccate": True, "sha256": rules_digest(rules_json)})
    existing = set(inspect(conn).get_table_names())
    for name, model in SEALED_TABLES.items():
        if name not in existing:  # sealed from its birth by a later revision (confronto: 0008, sealed by 0009)
            continue
        table = model.__table__
        assert isinstance(table, Table)
        for row_id, digest in read_rows(conn, table):
            if (name, str(row_id)) not in sealed:
                add(SEAL_ACTION, name, str(row_id), {"sha256": digest})
    if rows:
        conn.execute(insert(AuditRow), rows)
        conn.execute(update(BandoRow).values(audit_head=prev))


def downgrade() -> None:
    pass
