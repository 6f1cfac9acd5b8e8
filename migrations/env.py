"""Alembic environment: `concert init` passes the connection; the models give the metadata."""
from alembic import context

from concert import models  # noqa: F401  (registers the tables)
from concert.db import Model

config = context.config
target_metadata = Model.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("concert migrations run online only (`concert init`)")
run_migrations_online()
