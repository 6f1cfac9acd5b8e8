"""The Alembic migrations build exactly the schema the models describe, and go down to
nothing and back up again, on SQLite and PostgreSQL. Each test migrates a database of its
own (a new SQLite file, a new PostgreSQL schema), never the shared test schema."""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from concert import models  # noqa: F401  (registers every table)
from concert.db import Model, make_engine
from concert.migrate import alembic_config

POSTGRES_URL = os.environ.get(
    "CONCERT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture
def engine(database_url, tmp_path):
    """An empty database of the same kind as `database_url`, just for this test.
    (`database_url` only chooses the kind, and skips when PostgreSQL is unreachable.)"""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"concert_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def migrate(engine, direction: str, target: str) -> None:
    with engine.begin() as connection:
        getattr(command, direction)(alembic_config(connection), target)


def differences(engine) -> list:
    """What autogenerate would write into a new migration (tables, columns and their types,
    nullability and server defaults, indexes, unique and foreign keys): nothing, if the
    migrations and the models agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True})
        return compare_metadata(context, Model.metadata)


def constraints(source) -> dict[str, set]:
    """Per table, what autogenerate does not compare: the named CHECK constraints, and the
    ON DELETE rule of each foreign key."""
    if isinstance(source, sa.MetaData):
        return {name: {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
                | {(tuple(fk.column_keys), fk.referred_table.name, fk.ondelete)
                   for fk in table.foreign_key_constraints}
                for name, table in source.tables.items()}
    inspector = sa.inspect(source)
    return {name: {c["name"] for c in inspector.get_check_constraints(name)}
            | {(tuple(fk["constrained_columns"]), fk["referred_table"],
                fk.get("options", {}).get("ondelete"))
               for fk in inspector.get_foreign_keys(name)}
            for name in tables(source)}


def tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def head_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_build_the_schema_of_the_models(engine):
    migrate(engine, "upgrade", "head")
    assert tables(engine) == set(Model.metadata.tables)
    assert differences(engine) == []
    assert constraints(engine) == constraints(Model.metadata)


def test_downgrade_to_base_then_upgrade_to_head(engine):
    script = ScriptDirectory.from_config(alembic_config(None))
    migrate(engine, "upgrade", "head")
    assert head_revision(engine) == script.get_current_head()

    migrate(engine, "downgrade", "base")
    assert tables(engine) == set()
    assert head_revision(engine) is None

    migrate(engine, "upgrade", "head")
    assert tables(engine) == set(Model.metadata.tables)
    assert differences(engine) == []
    assert constraints(engine) == constraints(Model.metadata)


def test_each_migration_goes_down_and_up_again(engine):
    """Step by step, so that a downgrade which only works from the head is caught too."""
    script = ScriptDirectory.from_config(alembic_config(None))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate(engine, "upgrade", revision)
        migrate(engine, "downgrade", "-1")
        migrate(engine, "upgrade", revision)
    assert head_revision(engine) == revisions[-1]
    assert differences(engine) == []
