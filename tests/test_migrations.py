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
from concert.models import SQLITE_FTS_TABLE
from concert.migrate import alembic_config, migrating

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
    with migrating(engine) as connection:
        getattr(command, direction)(alembic_config(connection), target)


def differences(engine) -> list:
    """What autogenerate would write into a new migration (tables, columns and their types,
    nullability and server defaults, indexes, unique and foreign keys): nothing, if the
    migrations and the models agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True,
            "include_name": include_name})
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


def include_name(name, type_, _parent) -> bool:
    """SQLite's full-text table and its shadow tables are no model (models/search.py)."""
    return not (type_ == "table" and name.startswith(SQLITE_FTS_TABLE))


def tables(engine) -> set[str]:
    return {name for name in sa.inspect(engine).get_table_names()
            if include_name(name, "table", None)} - {"alembic_version"}


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


def test_cancelling_workshops_arrives_without_losing_their_agendas(engine):
    """0007 widens the workshops' status constraint. SQLite alters no constraint: batch mode
    copies the table, and dropping the old one must not take, through ON DELETE CASCADE,
    every agenda item with it."""
    migrate(engine, "upgrade", "0006")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO territories (id, slug, name, departement, communes, phase, created_at, "
            "last_commitment_number) VALUES (1, 't', 'T', '13', '[]', 'concertation', "
            "'2026-01-01 00:00:00+00', 0)")
        conn.exec_driver_sql(
            "INSERT INTO workshops (id, territory_id, title, starts_at, place, online_url, "
            "invited, status, created_at) VALUES (1, 1, 'Atelier', '2026-12-01 10:00:00+00', "
            "'Mairie', '', '[]', 'planned', '2026-01-01 00:00:00+00')")
        conn.exec_driver_sql("INSERT INTO agenda_items (workshop_id, position, title, minutes) "
                             "VALUES (1, 0, 'Tour de table', 10)")
    migrate(engine, "upgrade", "0007")
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM agenda_items").scalar() == 1
        conn.exec_driver_sql("UPDATE workshops SET status = 'cancelled', "
                             "cancelled_at = '2026-02-01 00:00:00+00'")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE workshops SET status = 'postponed'")
    migrate(engine, "downgrade", "0006")  # a cancelled workshop stays, as a past one
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT status FROM workshops").scalar() == "closed"
        assert conn.exec_driver_sql("SELECT count(*) FROM agenda_items").scalar() == 1


def test_the_contributions_open_before_0011_get_their_duplicate_suggestions(engine):
    """0011 indexes the words of every open need and proposal already written, and stores
    their likely duplicates, with the same service that keeps them afterwards."""
    migrate(engine, "upgrade", "0008")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO territories (id, slug, name, departement, communes, phase, created_at, "
            "last_commitment_number) VALUES (1, 't', 'T', '13', '[]', 'concertation', "
            "'2026-01-01 00:00:00+00', 0)")
        conn.exec_driver_sql(
            "INSERT INTO channels (id, territory_id, name, description, position, archived, "
            "created_at) VALUES (1, 1, 'Général', '', 0, false, '2026-01-01 00:00:00+00')")
        for n, (kind, status, body) in enumerate([
                ("need", "open", "Éclairage du parking de la gare"),
                ("message", None, "Éclairage du parking de la gare"),
                ("proposal", "open", "Éclairages au parking de la gare"),
                ("need", "declined", "Éclairage du parking de la gare"),
                ("need", "open", "Médiation au collège")], start=1):
            conn.execute(sa.text(
                "INSERT INTO posts (id, territory_id, channel_id, author_organisation, "
                "author_organisation_kind, kind, body, html, status, support_count, "
                "reply_count, seq, created_at) VALUES (:n, 1, 1, 'DDSP', 'police_nationale', "
                ":kind, :body, '', :status, 0, 0, :n, '2026-01-01 00:00:00+00')"),
                {"n": n, "kind": kind, "body": body, "status": status})
    migrate(engine, "upgrade", "0011")
    with engine.begin() as conn:
        assert conn.exec_driver_sql(
            "SELECT post_id, other_id FROM duplicate_suggestions").all() == [(1, 3)]
        assert {row[0] for row in conn.exec_driver_sql(
            "SELECT DISTINCT post_id FROM post_words")} == {1, 3, 5}
