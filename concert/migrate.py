"""Schema creation and upgrade through Alembic (the only way the schema changes)."""
from __future__ import annotations

from pathlib import Path

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


def upgrade() -> None:
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def revision(message: str) -> None:
    """For developers: autogenerate a migration from the models (`concert db-revision`)."""
    with db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
