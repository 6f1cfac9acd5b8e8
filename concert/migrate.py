"""Schema creation and upgrade through Alembic (the only way the schema changes)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from alembic import command
from alembic.config import Config as AlembicConfig

from .db import db

_HERE = Path(__file__).resolve().parent


def _script_location() -> str:
    packaged = _HERE / "migrations"
    return str(packaged if (packaged / "env.py").is_file() else _HERE.parent / "migrations")


def alembic_config(connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", _script_location())
    config.attributes["connection"] = connection
    return config


@contextmanager
def migrating(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in one transaction for migrations. On SQLite, foreign keys are off
    meanwhile, as SQLite's own procedure for table changes wants: batch mode rebuilds a table
    by copying it, and dropping the old copy would otherwise delete, through ON DELETE
    CASCADE, every row that points to it. The keys are checked before the commit."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, or SQLite ignores it
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    with migrating(db.engine) as connection:
        command.upgrade(alembic_config(connection), "head")


def revision(message: str) -> None:
    """For developers: autogenerate a migration from the models (`concert db-revision`)."""
    with db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
