"""Alembic environment: migrations run on the connection notifier.db hands over.

Batch mode lets the same migration alter tables on SQLite, which cannot ALTER most things.
"""

from alembic import context
from sqlmodel import SQLModel

import notifier.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through `notifier db upgrade`, which supplies the database connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
