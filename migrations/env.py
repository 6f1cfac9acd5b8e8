"""Alembic environment: `concert init` passes the connection; the models give the metadata."""
from alembic import context

from concert import models  # noqa: F401  (registers the tables)
from concert.db import Model
from concert.models import SQLITE_FTS_TABLE

config = context.config
target_metadata = Model.metadata


def include_name(name, type_, _parent) -> bool:
    """SQLite's full-text table (and its shadow tables) is no model: left alone."""
    return not (type_ == "table" and name.startswith(SQLITE_FTS_TABLE))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("concert migrations run online only (`concert init`)")
run_migrations_online()
