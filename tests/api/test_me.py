"""`/api/v1/me` (SPEC "Additions (second round)"): read, change, export, delete."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import MailOutbox, Post, User
from tests.api.conftest import error
from tests.conftest import PASSWORD
from tests.services.conftest import contribute


@pytest.fixture
def actor(world, client):
    return world.actor.bearer()


def me(client, headers) -> dict:
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 200
    return answer.json


def test_me_is_as_the_spec_says(world, client, actor):
    assert me(client, actor) == {"id": world.actor.id, "email": world.actor.email,
                                 "name": world.actor.name, "language": "fr",
                                 "time_zone": "Europe/Paris", "is_admin": False}


def test_patch_changes_the_fields_given(world, client, actor):
    answer = client.patch("/api/v1/me", headers=actor, json={
        "name": "Paul Police-Martin", "language": "en", "time_zone": "Indian/Reunion"})
    assert answer.status_code == 200
    assert answer.json == me(client, actor)
    assert (answer.json["name"], answer.json["language"], answer.json["time_zone"]) == (
        "Paul Police-Martin", "en", "Indian/Reunion")


@pytest.mark.parametrize("body, field", [
    ({"name": "Nouveau nom", "time_zone": "Europe/Paname"}, "time_zone"),
    ({"name": "Nouveau nom", "language": "de"}, "language"),
    ({"name": "", "language": "en"}, "name"),
    ({"name": "Nouveau nom", "is_admin": True}, "is_admin"),
    ({"name": 42}, "name"),
])
def test_a_refused_patch_changes_nothing(world, client, actor, body, field):
    before = me(client, actor)
    error(client.patch("/api/v1/me", headers=actor, json=body), 422, "invalid", field)
    assert me(client, actor) == before


def test_a_new_address_is_only_mailed_a_link(world, client, actor):
    body = {"email": "paul.police@example.net", "name": "Nouveau nom"}
    error(client.patch("/api/v1/me", headers=actor, json=body), 403, "invalid_credentials")
    error(client.patch("/api/v1/me", headers=actor, json={**body, "password": "pas le bon"}),
          403, "invalid_credentials")
    assert me(client, actor)["name"] == world.actor.name
    answer = client.patch("/api/v1/me", headers=actor, json={**body, "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json["email"] == world.actor.email and answer.json["name"] == "Nouveau nom"
    assert db.session.scalar(sa.select(MailOutbox.kind).where(
        MailOutbox.recipient == "paul.police@example.net")) == "email_change"


def test_the_export_is_a_json_download_of_my_data(world, client, actor):
    post = contribute(world.actor, "need", "Des halls d'immeuble occupés le soir").id
    answer = client.get("/api/v1/me/export", headers=actor)
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    data = answer.json
    assert data["account"]["email"] == world.actor.email
    assert [p["id"] for p in data["posts"]] == [post]
    assert world.actor.token not in answer.text


def test_delete_me_keeps_my_posts_as_a_former_member(world, client, actor):
    post = contribute(world.actor, "need", "Des halls d'immeuble occupés le soir").id
    error(client.delete("/api/v1/me", headers=actor, json={"password": "pas le bon"}), 403,
          "invalid_credentials", "password")
    error(client.delete("/api/v1/me", headers=actor, json={}), 422, "invalid", "password")
    assert me(client, actor)["email"] == world.actor.email  # nothing changed
    assert client.delete("/api/v1/me", headers=actor,
                         json={"password": PASSWORD}).status_code == 204
    assert client.get("/api/v1/me", headers=actor).status_code == 401  # the token went too
    shown = client.get(f"/api/v1/posts/{post}",
                       headers=world.facilitator.bearer()).json["author"]
    assert shown["name"] == "Ancien membre" and shown["id"] is None
    assert shown["organisation"] == "DDSP 13"
    db.session.expire_all()
    assert db.session.get(User, world.actor.id) is None
    assert db.session.get(Post, post).author_id is None


def test_the_last_platform_admin_cannot_delete_themself(world, client):
    error(client.delete("/api/v1/me", headers=world.admin.bearer(),
                        json={"password": PASSWORD}), 409, "last_admin")
    assert me(client, world.admin.bearer())["is_admin"] is True


def test_signed_out_gets_401(client, world):
    for method in ("get", "patch", "delete"):
        error(getattr(client, method)("/api/v1/me", json={}), 401)
    error(client.get("/api/v1/me/export"), 401)
