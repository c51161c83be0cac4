"""the server's rules installed again: which log rows a member's login may append, and read

Revision ID: 0011
Revises: 0010

A committee server prepared by an earlier ``server init`` let any login append log rows of any action in
its own name: a componente could put an admissibility decision, a draw, a reopening, an approval into the
signed minutes, or make intact data read as tampered for good (valutazione/server/log_rows.py). The rules
live in the database, so a new version of them reaches an existing server here: where ``server init`` has
run, its grants, policies, functions and triggers are installed again as this version has them, for the
tables' owner, and the log records it under the actor «aggiornamento 0011» (as revision 0009 did). On a
file, or on a server never prepared, nothing happens. The downgrade leaves the stricter rules in place.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
from sqlalchemy import insert, select, text, update

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

ACTOR = "aggiornamento 0011"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from valutazione import audit
    from valutazione.models import AuditRow, BandoRow
    from valutazione.server import policies
    from valutazione.server.roles import install_rules, rules_installed

    if not rules_installed(conn):
        return
    owner = str(
        conn.execute(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit' AND schemaname = current_schema()")
        ).scalar_one()
    )
    count = install_rules(conn, owner)
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    prev = conn.execute(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).scalar() or audit.GENESIS
    at = datetime.now(UTC)
    after = audit.canonical_json({"tabelle": len(policies.MATRIX), "regole": count, "proprietario": owner})
    action, before = "server.politiche_installate", audit.canonical_json(None)
    digest = audit.row_hash(prev, at, ACTOR, action, "server", database, before, after)
    row = {"at": at, "actor": ACTOR, "action": action, "entity": "server", "entity_id": database}
    conn.execute(
        insert(AuditRow), [{**row, "before_json": before, "after_json": after, "prev_hash": prev, "hash": digest}]
    )
    conn.execute(update(BandoRow).values(audit_head=digest))


def downgrade() -> None:
    pass
