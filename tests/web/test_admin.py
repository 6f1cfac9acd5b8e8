"""The account page's forms and the platform admin page, without JavaScript."""
from __future__ import annotations

import json

import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog, Post, User
from tests.conftest import PASSWORD, client_sign_in
from tests.services.conftest import contribute
from tests.web.test_account import submit


def test_a_refused_profile_is_shown_again_and_changes_nothing(world, client):
    client_sign_in(client, world.actor.email)
    answer = submit(client, "/account", to="/account/profile", name="Paul",
                    language="fr", time_zone="Europe/Paname")
    assert answer.status_code == 422
    assert db.session.get(User, world.actor.id).name == world.actor.name


def test_only_platform_admins_open_the_admin_page(world, client):
    client_sign_in(client, world.facilitator.email)
    assert client.get("/admin").status_code == 403
    assert client.get(f"/admin/people/{world.actor.id}/export").status_code == 403
    assert client.get(f"/admin/people/{world.actor.id}/delete").status_code == 403


def test_the_admin_page_finds_people_and_lists_what_waits(world, client):
    client_sign_in(client, world.admin.email)
    page = client.get("/admin?q=POLICE").get_data(as_text=True)
    assert world.actor.email in page and world.facilitator.email not in page
    assert "Métropole test" in page and "/admin/mail" in page


def test_an_admin_exports_then_deletes_a_person_after_confirming(world, client):
    post = contribute(world.actor).id
    client_sign_in(client, world.admin.email)
    exported = client.get(f"/admin/people/{world.actor.id}/export")
    assert "attachment" in exported.headers["Content-Disposition"]
    assert json.loads(exported.get_data())["posts"][0]["id"] == post
    confirm = client.get(f"/admin/people/{world.actor.id}/delete")
    assert confirm.status_code == 200 and db.session.get(User, world.actor.id) is not None
    done = submit(client, f"/admin/people/{world.actor.id}/delete")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.actor.id) is None
    assert db.session.get(Post, post).author_organisation == "DDSP 13"
    acts = db.session.execute(sa.select(AuditLog.action, AuditLog.actor_id).where(
        AuditLog.action.like("account.%")).order_by(AuditLog.id)).all()
    assert acts == [("account.export", world.admin.id), ("account.delete", world.admin.id)]


def test_deleting_my_account_from_the_page_needs_the_box_and_my_password(world, client):
    client_sign_in(client, world.actor.email)
    unchecked = submit(client, "/account", to="/account/delete", password=PASSWORD)
    assert unchecked.status_code == 422
    wrong = submit(client, "/account", to="/account/delete", password="pas le bon",
                   understood="y")
    assert wrong.status_code == 403
    assert db.session.get(User, world.actor.id) is not None
    done = submit(client, "/account", to="/account/delete", password=PASSWORD, understood="y")
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302  # signed out
