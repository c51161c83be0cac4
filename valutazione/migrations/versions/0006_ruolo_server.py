"""ruolo_server: each member's PostgreSQL login role on a committee server (empty on a file)

Revision ID: 0006
Revises: 0005 where it exists, else 0004

0005 (lots) was written on another branch at the same time: this revision follows it when it is there,
so the chain stays one line before and after the branches meet (the integrator may then fix it to "0005").
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005" if any(Path(__file__).parent.glob("0005_*.py")) else "0004"
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
