"""lotti: an application's lot, project type and quota properties

Revision ID: 0005
Revises: 0004

Calls divided into lots (docs/regole.md § 19) need, per application, the lot it competes in, the
project type that sets its cap, and the yes/no properties reserved quotas look at. Three nullable or
defaulted columns: a file made before holds single-budget calls, whose applications need none of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domanda") as batch:
        batch.add_column(sa.Column("lot_code", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("project_type", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("quota_properties", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("domanda") as batch:
        batch.drop_column("quota_properties")
        batch.drop_column("project_type")
        batch.drop_column("lot_code")
