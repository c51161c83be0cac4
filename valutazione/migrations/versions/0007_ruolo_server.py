"""ruolo_server: each member's PostgreSQL login role on a committee server (empty on a file)

Revision ID: 0007
Revises: 0006 (the chair's key)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ruolo_server",
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("db_role", sa.String(length=63), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["commissario_id"], ["commissario.id"]),
        sa.PrimaryKeyConstraint("commissario_id"),
        sa.UniqueConstraint("db_role"),
    )


def downgrade() -> None:
    op.drop_table("ruolo_server")
