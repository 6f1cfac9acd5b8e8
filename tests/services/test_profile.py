"""A person's own account: profile, password change, sign-ins; on both databases."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog, LoginSession, MailOutbox, User
from concert.schemas.me import ProfileInput
from concert.services import accounts, profile
from concert.services.errors import Forbidden, Invalid, NotFound
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("french")

NEW_PASSWORD = "un tout nouveau mot de passe"


def user(person) -> User:
    return accounts.find_user(person.email)


def test_the_profile_changes_as_a_whole(world):
    me = user(world.actor)
    profile.update(me, ProfileInput(name="Paul Police-Martin", language="en",
                                    time_zone="America/Cayenne"))
    assert profile.serialise(me) == {
        "id": me.id, "email": world.actor.email, "name": "Paul Police-Martin",
        "language": "en", "time_zone": "America/Cayenne", "is_admin": False}
    entry = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == "account.update")).one()
    assert entry.after == {"name": "Paul Police-Martin", "language": "en",
                           "time_zone": "America/Cayenne"}


@pytest.mark.parametrize("data, field", [
    ({"time_zone": "Europe/Paname"}, "time_zone"),
    ({"language": "de"}, "language"),
    ({"name": "  "}, "name"),
    ({"nom": "X"}, "nom"),
])
def test_a_refused_field_is_named(world, data, field):
    with pytest.raises(Invalid) as refused:
        ProfileInput(name="Changé", **data) if "name" not in data else ProfileInput(**data)
    assert refused.value.field == field


def test_a_new_address_goes_through_its_confirmation_link(world):
    me = user(world.actor)
    with pytest.raises(Forbidden):
        profile.update(me, ProfileInput(email="paul@example.net", name="Autre nom"))
    db.session.rollback()
    assert user(world.actor).name == world.actor.name
    profile.update(me, ProfileInput(email="paul@example.net", password=PASSWORD))
    assert user(world.actor).email == world.actor.email  # until the link is followed
    assert db.session.scalar(sa.select(MailOutbox.kind).where(
        MailOutbox.recipient == "paul@example.net")) == "email_change"


def test_changing_the_password_ends_the_other_sign_ins_only(world):
    me = user(world.actor)
    here = accounts.start_login_session(me, user_agent="Firefox")
    there = accounts.start_login_session(me, user_agent="Chromium")
    token = world.actor.bearer()
    with pytest.raises(Forbidden):
        accounts.change_password(me, "pas le bon", NEW_PASSWORD, keep_key=here)
    with pytest.raises(Invalid) as short:
        accounts.change_password(me, PASSWORD, "court", keep_key=here)
    assert short.value.field == "new_password"
    db.session.rollback()
    assert accounts.change_password(me, PASSWORD, NEW_PASSWORD, keep_key=here) == 1
    assert accounts.user_for_session(here).id == me.id
    assert accounts.user_for_session(there) is None
    assert accounts.user_for_token(token["Authorization"][7:]).id == me.id  # tokens kept
    assert accounts.authenticate(world.actor.email, NEW_PASSWORD).id == me.id
    notice = db.session.scalars(sa.select(MailOutbox).where(
        MailOutbox.kind == "password_changed")).one()
    assert notice.recipient == world.actor.email


def test_sign_ins_are_listed_and_ended(world):
    me, other = user(world.actor), user(world.actors[1])
    here = accounts.start_login_session(me, user_agent="Firefox", ip_address="192.0.2.1")
    accounts.start_login_session(me, user_agent="Chromium", ip_address="192.0.2.2")
    third = accounts.start_login_session(me, user_agent="Safari")
    listed = accounts.list_login_sessions(me)
    assert sorted(s.user_agent for s in listed) == ["Chromium", "Firefox", "Safari"]
    safari = next(s for s in listed if s.user_agent == "Safari")
    with pytest.raises(NotFound):
        accounts.end_session(other, safari.id)  # not theirs
    accounts.end_session(me, safari.id)
    assert accounts.user_for_session(third) is None
    assert accounts.end_other_sessions(me, here) == 1
    assert [s.user_agent for s in accounts.list_login_sessions(me)] == ["Firefox"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1
