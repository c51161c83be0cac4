"""the marks read by the ranking from one covering index

Revision ID: 0010
Revises: 0009

The ranking reads every submitted mark (``scheda_id``, ``sub_code``, ``value``) of the call. Through the
old index on ``scheda_id`` alone each mark was fetched from the table's row, which also holds the written
justification; an index holding the three columns answers the whole read by itself (at 5,000 applications
× 5 members: 100 → 78 ms for the read). Its first column serves every lookup the old index served, so
the old one goes and a mark's write still updates two indexes. ``IF [NOT] EXISTS``: a file whose recorded
revision was set back (as tests do) is upgraded again without error.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_voto_valori ON voto (scheda_id, sub_code, value)")
    op.execute("DROP INDEX IF EXISTS ix_voto_scheda")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_voto_scheda ON voto (scheda_id)")
    op.execute("DROP INDEX IF EXISTS ix_voto_valori")
