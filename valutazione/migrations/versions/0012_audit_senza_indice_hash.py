"""the log's hashes without a unique index of their own

Revision ID: 0012
Revises: 0011

Every log row carried a UNIQUE index on its ``hash``. Nothing looks a row up by its hash (the chain is
read in ``id`` order), and the index adds nothing to the evidence: a row's hash covers the previous
row's hash, so two rows with one hash would break the chain that ``audit.verify`` walks, index or not,
and whoever edits a file by hand can drop an index as easily as change a row. What the index did cost
is a write at a random place of a B-tree for each of the ~15,000 rows a return of 5,000 sheets logs:
about 6 % of merging five such returns (benchmarks/README.md, round five, third stop).

SQLite cannot drop a table's UNIQUE constraint, so the table is built again with the same columns, rows
and ids, then its index on ``action`` and its two append-only triggers as the file had them (their SQL
read back from the schema); all in the migration's one transaction, after the backup copy ``db`` makes
of a file. On PostgreSQL the constraint is simply dropped (the chain's order there is kept by the append
trigger, not by the index). The downgrade puts a unique index back.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TABLE = """CREATE TABLE audit_0012 (
	id INTEGER NOT NULL,
	at VARCHAR(32) NOT NULL,
	actor TEXT NOT NULL,
	action VARCHAR(60) NOT NULL,
	entity VARCHAR(40) NOT NULL,
	entity_id TEXT NOT NULL,
	before_json TEXT NOT NULL,
	after_json TEXT NOT NULL,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (id)
)"""
_COLUMNS = "id, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit DROP CONSTRAINT IF EXISTS audit_hash_key")
        return
    own = [  # the index on ``action`` and the append-only triggers, re-created word for word
        str(sql)
        for (sql,) in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'audit' AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name"
        )
    ]
    op.execute(_TABLE)
    op.execute(f"INSERT INTO audit_0012 ({_COLUMNS}) SELECT {_COLUMNS} FROM audit ORDER BY id")
    op.execute("DROP TABLE audit")  # its index and triggers go with it
    op.execute("ALTER TABLE audit_0012 RENAME TO audit")
    for sql in own:
        op.execute(sql)


def downgrade() -> None:
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS audit_hash_key ON audit (hash)")
