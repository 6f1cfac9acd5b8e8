"""Personal data (RGPD): the export of everything concert holds about a person, and the
deletion of an account that keeps its posts as "Ancien membre"; on both databases."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import (
    ApiToken, AuditLog, Event, LoginSession, Membership, Post, User,
)
from concert.models.files import File
from concert.models.notifications import Notification, NotificationPreference
from concert.models.workshops import Dot
from concert.schemas.me import PersonalData
from concert.schemas.notifications import PreferencesInput
from concert.schemas.workshops import DotInput, VoteInput
from concert.schemas.workspace import BodyInput
from concert.services import (
    accounts, channels, files, notifications, personal_data, posts, workshops,
)
from concert.services.errors import Conflict, Forbidden
from tests.conftest import PASSWORD, as_, document
from tests.services.conftest import contribute, events_of
from tests.services.test_workshops import planning

pytestmark = pytest.mark.usefixtures("french")


def user(person) -> User:
    return accounts.find_user(person.email)


@pytest.fixture
def activity(world):
    """The police actor posts, edits, supports the other actor's proposal, places a dot in a
    workshop's vote and signs in twice (a browser session and an API token)."""
    police = as_(world.actor)
    need = contribute(world.actor, "need", "Éclairage du parvis de la gare")
    posts.edit_post(police, need.id, BodyInput(body="Éclairage du parvis de la gare Saint-Charles"))
    general = channels.list_channels(as_(world.facilitator))[0].id
    proposal = contribute(world.actors[1], "proposal", "Médiateurs de nuit", channel=general)
    other = contribute(world.actors[1], "proposal", "Maraude commune", channel=general)
    posts.toggle_support(police, proposal.id)
    workshop = workshops.create(as_(world.facilitator), planning(general))
    workshops.start(as_(world.facilitator), workshop.id)
    vote = workshops.open_vote(as_(world.facilitator), workshop.id, VoteInput(
        question="Nos priorités", dots=1, posts=[proposal.id, other.id]))
    workshops.place_dot(as_(world.actor), workshop.id, vote.id, DotInput(post=proposal.id))
    accounts.start_login_session(user(world.actor), user_agent="Firefox", ip_address="192.0.2.7")
    world.actor.bearer()
    return need, proposal, vote


def test_the_export_holds_everything_about_me_and_no_secret(world, activity):
    need, proposal, vote = activity
    data = personal_data.export(user(world.actor))
    PersonalData.model_validate(data)  # the API's model
    assert data["account"]["email"] == world.actor.email
    assert [(m["territory"], m["organisation"]) for m in data["memberships"]] == [
        ("metropole", "DDSP 13")]
    [mine] = data["posts"]
    assert mine["id"] == need.id and mine["body"].endswith("Saint-Charles")
    assert [r["body"] for r in mine["revisions"]] == ["Éclairage du parvis de la gare"]
    assert [s["post"] for s in data["supports"]] == [proposal.id]
    assert [(d["vote"], d["post"]) for d in data["votes"]] == [(vote.id, proposal.id)]
    assert [s["user_agent"] for s in data["sessions"]] == ["Firefox"]
    assert [t["label"] for t in data["tokens"]] == ["tests"]
    assert "token.create" in {e["action"] for e in data["audit"]}
    text = json.dumps(PersonalData.model_validate(data).model_dump(mode="json"))
    assert world.actor.token not in text and PASSWORD not in text
    assert user(world.actor).password_hash not in text
    stored = db.session.scalar(sa.select(ApiToken.token_hash))
    assert stored not in text
    # Nobody else's words: the other actor's proposal is not among my posts.
    assert "Médiateurs" not in json.dumps([p["body"] for p in data["posts"]])


def test_deleting_my_account_keeps_my_posts_as_a_former_member(world, activity):
    need, proposal, vote = activity
    uid = world.actor.id
    personal_data.delete_own(user(world.actor), PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, uid) is None
    kept = db.session.get(Post, need.id)
    assert kept.author_id is None and kept.author_organisation == "DDSP 13"
    assert kept.body.endswith("Saint-Charles")
    shown = posts.serialise(kept)["author"]
    assert shown == {"id": None, "name": "Ancien membre", "organisation": "DDSP 13",
                     "organisation_kind": "police_nationale"}
    # Memberships, sign-ins, tokens and supports go; counts follow.
    for model in (Membership, LoginSession, ApiToken):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.user_id == uid)) == 0
    assert db.session.get(Post, proposal.id).support_count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dot)) == 0


def test_the_event_log_replays_my_posts_without_my_name(world, activity):
    need, _proposal, _vote = activity
    personal_data.delete_own(user(world.actor), PASSWORD)
    logged = json.dumps([e.data for e in db.session.scalars(sa.select(Event))],
                        ensure_ascii=False)
    assert world.actor.name not in logged and world.actor.email not in logged
    created = [e for e in events_of("post.created") if e.post_id == need.id]
    assert created and all(e.data["author"]["name"] == "Ancien membre" for e in created
                           if "author" in e.data)
    [supported] = events_of("post.supported")
    assert supported.data["user"] is None


def test_the_audit_log_keeps_the_act_not_the_person(world, activity):
    uid, email = world.actor.id, world.actor.email
    personal_data.delete_own(user(world.actor), PASSWORD)
    entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
    assert not any(e.actor_id == uid for e in entries)
    text = json.dumps([[e.before, e.after] for e in entries], ensure_ascii=False)
    assert email not in text
    assert any(e.action == "token.create" for e in entries)  # the act stays
    deleted = entries[-1]
    assert (deleted.action, deleted.actor_id, deleted.object_id) == ("account.delete", None, uid)
    assert deleted.after == {"by": "self", "posts_kept": 1, "memberships": 1}


def test_a_wrong_password_deletes_nothing(world, activity):
    with pytest.raises(Forbidden):
        personal_data.delete_own(user(world.actor), "pas le bon mot de passe")
    db.session.rollback()
    assert db.session.get(User, world.actor.id) is not None


def test_a_platform_admin_exports_and_deletes_a_person_with_an_audit_entry(world, activity):
    admin = user(world.admin)
    with pytest.raises(Forbidden):
        personal_data.export_of(user(world.facilitator), world.actor.id)
    person, data = personal_data.export_of(admin, world.actor.id)
    assert data["account"]["email"] == world.actor.email
    personal_data.delete_person(admin, world.actor.id)
    actions = [(e.action, e.actor_id, e.object_id) for e in db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action.like("account.%")).order_by(AuditLog.id))]
    assert actions == [("account.export", admin.id, world.actor.id),
                       ("account.delete", admin.id, world.actor.id)]


def test_the_last_platform_admin_cannot_be_deleted(world):
    with pytest.raises(Conflict) as refused:
        personal_data.delete_own(user(world.admin), PASSWORD)
    assert refused.value.code == "last_admin"
    db.session.rollback()
    other = accounts.create_admin("second@example.org", PASSWORD, "Second Admin")
    personal_data.delete_own(user(world.admin), PASSWORD)
    with pytest.raises(Conflict):
        personal_data.delete_person(other, other.id)


def test_my_notifications_preferences_and_documents_are_exported_then_deleted(world):
    """What the second round added about a person: the notifications they were sent, their
    preferences, the documents they uploaded. Deleting the account removes the first two
    and the uploads attached to nothing; a document attached to a post stays with it."""
    police = as_(world.actor)
    contribute(world.actors[1], "message", f"@{world.actor.name} le plan des caméras ?")
    notifications.set_preferences(user(world.actor), PreferencesInput(
        notifications={"mention": "daily"}))
    kept = files.upload(police, io.BytesIO(document("pdf")[1]), "plan.pdf")
    loose = files.upload(police, io.BytesIO(document("png")[1]), "brouillon.png")
    post = contribute(world.actor, "message", "Le plan ci-joint", attachments=[kept.id])
    kept_id, loose_id = kept.id, loose.id
    data = personal_data.export(user(world.actor))
    PersonalData.model_validate(data)
    assert [n["type"] for n in data["notifications"]] == ["post.mention"]
    assert data["preferences"]["notifications"]["mention"] == "daily"
    assert {(f["name"], f["attached"]) for f in data["files"]} == {
        ("plan.pdf", True), ("brouillon.png", False)}
    uid = world.actor.id
    personal_data.delete_own(user(world.actor), PASSWORD)
    db.session.expire_all()
    for model in (Notification, NotificationPreference):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.user_id == uid)) == 0
    assert db.session.get(File, loose_id) is None
    attached = db.session.get(File, kept_id)
    assert attached.uploader_id is None and attached.post_id == post.id
