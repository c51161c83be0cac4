"""funded projects: agreements, payment types, support plan and log, indicators, monitoring officers

Revision ID: 0002
Revises: 0001

Additive only: new tables, two new columns on ``erogazione``. Agreements typed before this schema as
``erogazione`` rows of kind «convenzione» are copied into ``convenzione`` (one per application, their sum,
dated at the first one); the old rows stay untouched as the record of what was typed then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "convenzione",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), sa.ForeignKey("domanda.id"), nullable=False, unique=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("cup", sa.String(length=15), nullable=False),
        sa.Column("act", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name="convenzione_positive"),
        sa.CheckConstraint("state IN ('attiva', 'revocata', 'rinunciata')", name="convenzione_state"),
        sa.CheckConstraint("start_on <= end_on", name="convenzione_dates"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "fase_affiancamento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), sa.ForeignKey("domanda.id"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hours_planned", sa.String(length=40), nullable=False),
        sa.Column("mentor", sa.Text(), nullable=False),
        sa.CheckConstraint("CAST(hours_planned AS REAL) > 0", name="fase_hours_positive"),
        sa.UniqueConstraint("domanda_id", "name"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sessione_affiancamento",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), sa.ForeignKey("domanda.id"), nullable=False),
        sa.Column("fase_id", sa.Integer(), sa.ForeignKey("fase_affiancamento.id"), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("hours", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("over_plan_reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("CAST(hours AS REAL) > 0", name="sessione_hours_positive"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "indicatore_obiettivo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), sa.ForeignKey("domanda.id"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("baseline", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.UniqueConstraint("domanda_id", "code"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "indicatore_valore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), sa.ForeignKey("domanda.id"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("domanda_id", "code", "on_day"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "referente",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # Plain ADD COLUMN (valid on SQLite and PostgreSQL): no table rebuild, so no row of the evidence moves.
    op.execute(
        "ALTER TABLE erogazione ADD COLUMN tipo VARCHAR(10) NOT NULL DEFAULT 'sal' "
        "CONSTRAINT erogazione_tipo CHECK (tipo IN ('anticipo', 'sal', 'saldo', 'recupero'))"
    )
    op.execute("ALTER TABLE erogazione ADD COLUMN act TEXT NOT NULL DEFAULT ''")
    op.execute(
        "INSERT INTO convenzione (domanda_id, signed_on, amount_cents, reason, start_on, end_on, cup, act, state, "
        "closed_on, closed_reason) "
        "SELECT domanda_id, MIN(on_day), SUM(amount_cents), "
        "'Convenzione registrata prima della gestione dei progetti finanziati', MIN(on_day), MIN(on_day), '', "
        "'', 'attiva', NULL, '' FROM erogazione WHERE kind = 'convenzione' GROUP BY domanda_id"
    )


def downgrade() -> None:
    for table in (
        "referente",
        "indicatore_valore",
        "indicatore_obiettivo",
        "sessione_affiancamento",
        "fase_affiancamento",
        "convenzione",
    ):
        op.drop_table(table)
    with op.batch_alter_table("erogazione") as batch:
        batch.drop_column("act")
        batch.drop_column("tipo")
