"""Alembic environment: runs on the connection ``db.py`` passes in, inside its transaction."""

from alembic import context

from valutazione.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
