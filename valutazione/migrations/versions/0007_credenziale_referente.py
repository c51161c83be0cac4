"""credenziale_referente: a salted slow hash of each monitoring officer's password

Revision ID: 0007
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credenziale_referente",
        sa.Column("referente_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=80), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=128), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["referente_id"], ["referente.id"]),
        sa.PrimaryKeyConstraint("referente_id"),
    )


def downgrade() -> None:
    op.drop_table("credenziale_referente")
