"""The `concert` command, run for real in a subprocess against the test database."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from concert.db import Model, db
from concert.models import (
    ApiToken, AuditLog, Invitation, Membership, SearchEntry, Territory, User, utcnow,
)
from concert.schemas.search import SearchQuery
from concert.services import accounts, search
from tests.conftest import (
    POSTGRES_URL, _postgres_schema_url, _server_env, as_, make_person, new_secret,
)
from tests.services.conftest import contribute

PASSWORD = "un mot de passe assez long"


def fresh() -> None:
    """Ends the test's own transaction, so it sees what the command committed."""
    db.session.rollback()


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess) -> str:
    """A refusal is a one-line message and a non-zero exit, never a traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


# --- init --------------------------------------------------------------------------------

@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database nothing has touched yet, of the same kind as the session's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"concert_cli_{os.getpid()}_{new_secret()}"
    admin = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg2://", 1))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield _postgres_schema_url(schema)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


def test_init_creates_the_schema_then_does_nothing_the_second_time(empty_database_url,
                                                                    tmp_path):
    def init() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "concert", "init"], capture_output=True, text=True,
            env=_server_env(empty_database_url, tmp_path), timeout=120,
        )

    assert "Base de données à jour." in succeeded(init())
    engine = sa.create_engine(empty_database_url.replace(
        "postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert {table.name for table in Model.metadata.sorted_tables} <= tables

        assert "Base de données à jour." in succeeded(init())
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head
    finally:
        engine.dispose()


def test_init_on_an_up_to_date_database(runner, world):
    succeeded(runner("init"))
    succeeded(runner("init"))
    assert count(Membership) == 5  # nothing lost


# --- create-admin ------------------------------------------------------------------------

def test_create_admin_with_the_password_option(runner):
    out = succeeded(runner("create-admin", "Chef@Example.org", "--password", PASSWORD))
    assert "chef@example.org" in out
    fresh()
    user = accounts.authenticate("chef@example.org", PASSWORD)
    assert user.is_admin and user.password_hash.startswith("$argon2id$")


def test_create_admin_with_the_password_on_stdin(runner):
    succeeded(runner("create-admin", "stdin@example.org", "--name", "Admin Stdin",
                     input=PASSWORD + "\n"))
    fresh()
    user = accounts.authenticate("stdin@example.org", PASSWORD)
    assert user.is_admin and user.name == "Admin Stdin"


@pytest.mark.parametrize("how", ["option", "stdin", "empty stdin"])
def test_create_admin_refuses_a_short_password(runner, how):
    if how == "option":
        result = runner("create-admin", "court@example.org", "--password", "court")
    else:
        result = runner("create-admin", "court@example.org",
                        input="court\n" if how == "stdin" else "")
    assert "12 caractères" in refused(result)
    assert count(User) == 0


def test_create_admin_promotes_an_existing_user_and_a_short_password_changes_nothing(
        runner, world):
    assert "12 caractères" in refused(runner("create-admin", world.actor.email,
                                             "--password", "court"))
    fresh()
    assert not accounts.find_user(world.actor.email).is_admin
    succeeded(runner("create-admin", world.actor.email, "--password", PASSWORD))
    fresh()
    assert accounts.authenticate(world.actor.email, PASSWORD).is_admin
    assert count(User, User.email == world.actor.email) == 1


def test_create_admin_refuses_a_bad_email(runner):
    assert "Adresse e-mail invalide" in refused(
        runner("create-admin", "pas-une-adresse", "--password", PASSWORD))
    assert count(User) == 0


# --- territory-create --------------------------------------------------------------------

def test_territory_create_and_a_duplicate_is_refused(runner):
    out = succeeded(runner("territory-create", "bassin-nord", "Bassin nord",
                           "--departement", "59", "--communes", "59350,59512"))
    assert "bassin-nord" in out
    fresh()
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == "bassin-nord"))
    assert territory.name == "Bassin nord" and territory.communes == ["59350", "59512"]
    assert territory.departement == "59"

    message = refused(runner("territory-create", "bassin-nord", "Autre nom"))
    assert "Un territoire porte déjà cet identifiant." in message
    assert count(Territory) == 1
    fresh()
    assert db.session.get(Territory, territory.id).name == "Bassin nord"


@pytest.mark.parametrize("args, message", [
    (["Bad Slug", "Nom"], "Identifiant invalide"),
    (["ok", ""], "Ce champ est obligatoire"),
    (["ok", "Nom", "--communes", "123"], "Codes INSEE invalides"),
])
def test_territory_create_explains_bad_input(runner, args, message):
    assert message in refused(runner("territory-create", *args))
    assert count(Territory) == 0


# --- invite ------------------------------------------------------------------------------

def test_invite_prints_a_url_that_works(runner, live_server, world):
    out = succeeded(runner("invite", "metropole", "Nouveau@Example.org", "--role", "observer",
                           "--org", "Tribunal judiciaire", "--org-kind", "justice"))
    url = out.strip()
    assert url.startswith("http://127.0.0.1:5000/invite/") and "\n" not in url
    token = url.rsplit("/", 1)[1]

    page = requests.get(live_server.url + f"/invite/{token}")
    assert page.status_code == 200 and "nouveau@example.org" in page.text
    accepted = requests.post(live_server.url + f"/api/v1/invitations/{token}/accept",
                             json={"name": "Noé Nouveau", "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    fresh()
    membership = db.session.scalar(sa.select(Membership).join(User).where(
        User.email == "nouveau@example.org"))
    assert membership.role == "observer" and membership.organisation == "Tribunal judiciaire"
    assert membership.organisation_kind == "justice"
    assert membership.territory.slug == "metropole"


@pytest.mark.parametrize("args, message", [
    (["metropole", "x@example.org", "--role", "king", "--org", "V", "--org-kind", "commune"],
     "facilitator, actor, observer"),
    (["metropole", "x@example.org", "--role", "actor", "--org", "V", "--org-kind", "mafia"],
     "police_municipale"),
    (["metropole", "pas-une-adresse", "--role", "actor", "--org", "V", "--org-kind", "commune"],
     "Adresse e-mail invalide"),
    (["metropole", "x@example.org", "--role", "actor", "--org", " ", "--org-kind", "commune"],
     "Ce champ est obligatoire"),
    (["nowhere", "x@example.org", "--role", "actor", "--org", "V", "--org-kind", "commune"],
     "Territoire introuvable"),
])
def test_invite_explains_bad_input(runner, world, args, message):
    before = count(Invitation)
    assert message in refused(runner("invite", *args))
    assert count(Invitation) == before


def test_invite_refuses_an_existing_member(runner, world):
    before = count(Invitation)
    assert "déjà membre" in refused(runner(
        "invite", "metropole", world.actor.email, "--role", "actor", "--org", "DDSP 13",
        "--org-kind", "police_nationale"))
    assert count(Invitation) == before


# --- token -------------------------------------------------------------------------------

def test_token_prints_a_token_that_authenticates_on_the_api(runner, live_server, ctx):
    person = make_person("Tom Token", "Tom@Example.org")
    token = succeeded(runner("token", "TOM@example.org", "--label", "script")).strip()
    assert token and "\n" not in token
    me = requests.get(live_server.url + "/api/v1/me",
                      headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == person.email.lower()
    listed = requests.get(live_server.url + "/api/v1/tokens",
                          headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert [t["label"] for t in listed] == ["script"]


def test_token_may_expire_within_a_year(runner, world):
    token = succeeded(runner("token", world.actor.email, "--days", "7")).strip()
    fresh()
    [stored] = db.session.scalars(sa.select(ApiToken))
    assert stored.token_hash != token
    assert timedelta(days=6) < stored.expires_at - utcnow() <= timedelta(days=7)
    assert "expires_in_days" in refused(runner("token", world.actor.email, "--days", "400"))


def test_token_for_an_unknown_email_fails(runner):
    assert "nobody@example.org" in refused(runner("token", "nobody@example.org"))


# --- demo --------------------------------------------------------------------------------

def _row_counts() -> dict[str, int]:
    fresh()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Model.metadata.sorted_tables if table.name != AuditLog.__tablename__
    }


def test_demo_twice_seeds_once_and_prints_the_logins(runner, live_server):
    first = succeeded(runner("demo"))
    counts = _row_counts()
    assert counts["users"] == 10 and counts["memberships"] == 9

    second = succeeded(runner("demo"))
    assert _row_counts() == counts
    assert first == second
    for email in ("admin@demo.concert.test", "prefecture@demo.concert.test",
                  "parquet@demo.concert.test"):
        assert email in second
    assert "concert-demo-2026" in second
    # roles in French, as the pages name them
    assert "animateur" in second and "acteur" in second and "observateur" in second
    assert "facilitator" not in second and "actor " not in second
    assert "ddpn@demo.concert.test" in second and "DDPN des Bouches-du-Rhône" in second

    token = requests.post(live_server.url + "/api/v1/tokens", json={
        "email": "prefecture@demo.concert.test", "password": "concert-demo-2026"})
    assert token.status_code == 201
    territory = requests.get(live_server.url + "/api/v1/territories/demo",
                             headers={"Authorization": f"Bearer {token.json()['token']}"})
    assert territory.status_code == 200 and territory.json()["role"] == "facilitator"
    # The demo is not signed, yet its yearly evaluation renders.
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    years = requests.get(live_server.url + "/api/v1/territories/demo/evaluation",
                         headers=bearer).json()["items"]
    pdf = requests.get(live_server.url + years[-1]["urls"]["pdf"], headers=bearer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    markdown = requests.get(live_server.url + years[-1]["urls"]["md"], headers=bearer).text
    assert markdown.startswith("# Bilan annuel ")
    assert "État des engagements" in markdown  # drafts only: none yet in the contract
    assert "Évolution des indicateurs de délinquance" in markdown


def test_files_purge_deletes_the_files_left_unattached_for_a_day(runner, world):
    import io

    from concert.models import File
    from concert.services import files
    from tests.conftest import as_

    stale = files.upload(as_(world.actor), io.BytesIO(b"brouillon"), "brouillon.txt")
    files.upload(as_(world.actor), io.BytesIO(b"du jour"), "du-jour.txt")
    stale.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert succeeded(runner("files-purge")) == "purged: 1\n"
    assert count(File) == 1

# --- search-reindex ------------------------------------------------------------------------

def test_search_reindex_indexes_what_was_written_before(runner, world):
    post = contribute(world.actors[0], "need", "Patrouilles au marché")
    db.session.execute(sa.delete(SearchEntry))  # as if written before the index existed
    db.session.commit()
    assert "Entrées indexées : 1" in succeeded(runner("search-reindex", "--territory",
                                                       world.slug))
    fresh()
    found = search.search(as_(world.observer), SearchQuery(q="patrouille"))
    assert [item.id for item in found.items] == [post.id]
    assert "Territoire introuvable" in refused(runner("search-reindex", "--territory", "nulle"))
