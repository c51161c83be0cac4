"""credenziale_referente: each monitoring officer's password hash; confronto: members' pairwise comparisons

Revision ID: 0008
Revises: 0007 (server roles)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
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

    op.create_table(
        "confronto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("sub_code", sa.String(length=20), nullable=False),
        sa.Column("domanda_a_id", sa.Integer(), nullable=False),
        sa.Column("domanda_b_id", sa.Integer(), nullable=False),
        sa.Column("preferred", sa.String(length=1), nullable=True),
        sa.Column("degree", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("domanda_a_id < domanda_b_id", name="confronto_pair_ordered"),
        sa.CheckConstraint("preferred IS NULL OR preferred IN ('a', 'b')", name="confronto_preferred"),
        sa.ForeignKeyConstraint(["commissario_id"], ["commissario.id"]),
        sa.ForeignKeyConstraint(["domanda_a_id"], ["domanda.id"]),
        sa.ForeignKeyConstraint(["domanda_b_id"], ["domanda.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commissario_id", "sub_code", "domanda_a_id", "domanda_b_id"),
    )


def downgrade() -> None:
    op.drop_table("confronto")
    op.drop_table("credenziale_referente")
