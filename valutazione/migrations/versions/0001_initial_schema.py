"""initial schema

Revision ID: 0001
Revises: (none)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


# PostgreSQL compares a boolean with a boolean only; SQLite stores booleans as 0/1 (text kept as it was).
_NO_CONFLICT = {"sqlite": "has_conflict = 0"}


def _audit_append_only(dialect: str) -> None:
    """The audit log is append-only: the chain detects tampering, the triggers stop accidents."""
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'il registro delle decisioni non si modifica'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'il registro delle decisioni non si cancella'); END"
        )
    elif dialect == "postgresql":
        # One plpgsql function for both events; TRUNCATE, which fires no row trigger, is refused too.
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'il registro delle decisioni non si modifica'; END IF; "
            "RAISE EXCEPTION 'il registro delle decisioni non si cancella'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("after_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_action", ["action"], unique=False)

    op.create_table(
        "bando",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("rules_json", sa.Text(), nullable=False),
        sa.Column("source_toml", sa.Text(), nullable=False),
        sa.Column("file_uuid", sa.String(length=36), nullable=False),
        sa.Column("appointment_act", sa.Text(), nullable=False),
        sa.Column("appointment_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("rules_locked_at", sa.String(length=32), nullable=True),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_uuid"),
    )
    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "commissario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("role IN ('presidente', 'componente', 'segretario')", name="role_known"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "seduta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "sorteggio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocols_json", sa.Text(), nullable=False),
        sa.Column("order_json", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("protocols_json"),
    )
    op.create_table(
        "zona",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "dichiarazione",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("declared_at", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commissario_id"],
            ["commissario.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commissario_id"),
    )
    op.create_table(
        "domanda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.String(length=32), nullable=False),
        sa.Column("applicant", sa.Text(), nullable=False),
        sa.Column("legal_form", sa.Text(), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=False),
        sa.Column("vat_number", sa.String(length=32), nullable=False),
        sa.Column("legal_representative", sa.Text(), nullable=False),
        sa.Column("pec", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("zone_text", sa.Text(), nullable=False),
        sa.Column("zona_id", sa.Integer(), nullable=True),
        sa.Column("total_cost_cents", sa.Integer(), nullable=False),
        sa.Column("grant_cents", sa.Integer(), nullable=False),
        sa.Column("cofinancing_cents", sa.Integer(), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("duration_months IS NULL OR duration_months > 0", name="duration_positive"),
        sa.CheckConstraint(
            "total_cost_cents >= 0 AND grant_cents >= 0 AND cofinancing_cents >= 0", name="money_positive"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["zona_id"],
            ["zona.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("protocol"),
    )
    op.create_table(
        "graduatoria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("approved_at", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content_json", sa.Text(), nullable=False),
        sa.Column("seduta_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('provvisoria', 'definitiva')", name="graduatoria_state"),
        sa.ForeignKeyConstraint(
            ["seduta_id"],
            ["seduta.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_table(
        "pacchetto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("direction IN ('uscita', 'ritorno')", name="pacchetto_direction"),
        sa.ForeignKeyConstraint(
            ["commissario_id"],
            ["commissario.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commissario_id", "direction", "sequence"),
    )
    op.create_table(
        "presenza",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seduta_id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commissario_id"],
            ["commissario.id"],
        ),
        sa.ForeignKeyConstraint(["seduta_id"], ["seduta.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seduta_id", "commissario_id"),
    )
    op.create_table(
        "allegato",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["domanda_id"], ["domanda.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["blob.sha256"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domanda_id", "filename"),
    )
    op.create_table(
        "ammissibilita",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('ammissibile', 'esclusa', 'non_ricevibile')", name="outcome_known"),
        sa.CheckConstraint("length(reason) > 0", name="reason_required"),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domanda_id"),
    )
    op.create_table(
        "conflitto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("has_conflict", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            f"{_NO_CONFLICT.get(dialect, 'NOT has_conflict')} OR length(reason) > 0", name="conflict_reason"
        ),
        sa.ForeignKeyConstraint(
            ["commissario_id"],
            ["commissario.id"],
        ),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commissario_id", "domanda_id"),
    )
    op.create_table(
        "erogazione",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('convenzione', 'pagamento')", name="erogazione_kind"),
        sa.CheckConstraint("amount_cents > 0", name="erogazione_positive"),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["domanda_id"], ["domanda.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domanda_id", "rule"),
    )
    op.create_table(
        "rinuncia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domanda_id"),
    )
    op.create_table(
        "scheda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commissario_id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.String(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state = 'bozza' OR (submitted_at IS NOT NULL AND content_hash IS NOT NULL)",
            name="submitted_stamped",
        ),
        sa.CheckConstraint("state IN ('bozza', 'inviata')", name="scheda_state"),
        sa.ForeignKeyConstraint(
            ["commissario_id"],
            ["commissario.id"],
        ),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commissario_id", "domanda_id"),
    )
    with op.batch_alter_table("scheda", schema=None) as batch_op:
        batch_op.create_index("ix_scheda_domanda", ["domanda_id"], unique=False)

    op.create_table(
        "soccorso",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domanda_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('in_attesa', 'integrata', 'non_integrata')", name="soccorso_outcome"),
        sa.CheckConstraint("deadline >= requested_on", name="deadline_after_request"),
        sa.ForeignKeyConstraint(
            ["domanda_id"],
            ["domanda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "voto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheda_id", sa.Integer(), nullable=False),
        sa.Column("sub_code", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("motivazione", sa.Text(), nullable=False),
        sa.CheckConstraint("CAST(value AS REAL) >= 0", name="value_positive"),
        sa.ForeignKeyConstraint(["scheda_id"], ["scheda.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scheda_id", "sub_code"),
    )
    with op.batch_alter_table("voto", schema=None) as batch_op:
        batch_op.create_index("ix_voto_scheda", ["scheda_id"], unique=False)
    _audit_append_only(dialect)


def downgrade() -> None:

    with op.batch_alter_table("voto", schema=None) as batch_op:
        batch_op.drop_index("ix_voto_scheda")

    op.drop_table("voto")
    op.drop_table("soccorso")
    with op.batch_alter_table("scheda", schema=None) as batch_op:
        batch_op.drop_index("ix_scheda_domanda")

    op.drop_table("scheda")
    op.drop_table("rinuncia")
    op.drop_table("flag")
    op.drop_table("erogazione")
    op.drop_table("conflitto")
    op.drop_table("ammissibilita")
    op.drop_table("allegato")
    op.drop_table("presenza")
    op.drop_table("pacchetto")
    op.drop_table("graduatoria")
    op.drop_table("domanda")
    op.drop_table("dichiarazione")
    op.drop_table("zona")
    op.drop_table("sorteggio")
    op.drop_table("seduta")
    op.drop_table("import_batch")
    op.drop_table("commissario")
    op.drop_table("blob")
    op.drop_table("bando")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_action")

    op.drop_table("audit")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_append_only()")
