"""Finding 1: no facilitator lifts a channel's restriction for themselves, directly or by
inviting a second account of an allowed kind. Refusals are a 403 and an audit entry."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog, Channel, Invitation
from concert.services import accounts, channels, posts, territories
from concert.services.access import access
from concert.services.accounts import find_user

from ..conftest import join
from concert.schemas.workspace import PostInput
from concert.schemas.workspace import ChannelInput


def state_only(world) -> Channel:
    """A channel restricted to State services, hidden from a commune's facilitator."""
    channel = channels.create_channel(territories.system_access(world.slug), ChannelInput(
        name="Renseignement", restricted_to=["prefecture", "police_nationale"]))
    world.extra["commune"] = join(world.slug, "maire@example.org", "Marc Maire",
                                  "facilitator", "Ville de Marseille", "commune")
    return channel


def refusals(action: str) -> list[AuditLog]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_a_facilitator_cannot_open_a_hidden_channel_to_themselves(client, world):
    channel = state_only(world)
    answer = client.patch(f"/api/v1/territories/{world.slug}/channels/{channel.id}",
                          json={"restricted_to": ["prefecture", "police_nationale", "commune"]},
                          headers=world.extra["commune"].bearer())
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert db.session.get(Channel, channel.id).restricted_to == ["police_nationale", "prefecture"]
    [entry] = refusals("channel.restrict.refused")
    assert entry.object_id == channel.id and entry.actor_id == world.extra["commune"].id
    # Nor open it to everyone.
    answer = client.patch(f"/api/v1/territories/{world.slug}/channels/{channel.id}",
                          json={"restricted_to": None}, headers=world.extra["commune"].bearer())
    assert answer.status_code == 403


def test_a_facilitator_who_sees_the_channel_or_an_admin_may_change_it(client, world):
    channel = state_only(world)
    answer = client.patch(f"/api/v1/territories/{world.slug}/channels/{channel.id}",
                          json={"restricted_to": ["prefecture", "police_nationale", "justice"]},
                          headers=world.facilitator.bearer())
    assert answer.status_code == 200, answer.json
    answer = client.patch(f"/api/v1/territories/{world.slug}/channels/{channel.id}",
                          json={"restricted_to": ["prefecture"]}, headers=world.admin.bearer())
    assert answer.status_code == 200, answer.json
    assert answer.json["restricted_to"] == ["prefecture"]
    # Renaming a channel one cannot read stays a facilitator's right.
    answer = client.patch(f"/api/v1/territories/{world.slug}/channels/{channel.id}",
                          json={"name": "Renseignement territorial"},
                          headers=world.extra["commune"].bearer())
    assert answer.status_code == 200


def test_a_facilitator_cannot_invite_a_kind_that_sees_more_than_they_do(client, world):
    state_only(world)
    answer = client.post(f"/api/v1/territories/{world.slug}/invitations", json={
        "email": "double@example.org", "role": "observer", "organisation": "Préfecture",
        "organisation_kind": "prefecture"}, headers=world.extra["commune"].bearer())
    assert answer.status_code == 403
    assert "url" not in answer.json
    assert not db.session.scalar(sa.select(Invitation.id).where(
        Invitation.email == "double@example.org"))
    [entry] = refusals("invitation.create.refused")
    assert entry.after["organisation_kind"] == "prefecture"
    # Kinds that see nothing hidden from them, they invite as before.
    answer = client.post(f"/api/v1/territories/{world.slug}/invitations", json={
        "email": "asso@example.org", "role": "actor", "organisation": "ADDAP 13",
        "organisation_kind": "prevention"}, headers=world.extra["commune"].bearer())
    assert answer.status_code == 201


def test_an_admin_or_a_facilitator_of_that_kind_invites_it(client, world):
    state_only(world)
    for person, email in ((world.admin, "a@example.org"), (world.facilitator, "b@example.org")):
        answer = client.post(f"/api/v1/territories/{world.slug}/invitations", json={
            "email": email, "role": "actor", "organisation": "DDSP",
            "organisation_kind": "police_nationale"}, headers=person.bearer())
        assert answer.status_code == 201, answer.json


def test_nothing_is_merged_into_a_post_some_readers_cannot_see(client, world):
    hidden = state_only(world)
    fac = access(find_user(world.facilitator.email), world.slug)
    open_channel = db.session.scalar(sa.select(Channel.id).where(
        Channel.restricted_to.is_(None)).order_by(Channel.id))
    duplicate, _ = posts.create_post(fac, PostInput(
        channel=open_channel, kind="need", body="Éclairage du parking"))
    kept, _ = posts.create_post(fac, PostInput(
        channel=hidden.id, kind="need", body="Éclairage du parking (État)"))
    answer = client.post(f"/api/v1/posts/{duplicate.id}/merge", json={"into": kept.id},
                         headers=world.facilitator.bearer())
    assert answer.status_code == 422 and answer.json["error"]["field"] == "into"


def test_the_promotion_form_does_not_copy_a_restricted_source(client, world):
    hidden = state_only(world)
    fac = access(find_user(world.facilitator.email), world.slug)
    secret, _ = posts.create_post(fac, PostInput(
        channel=hidden.id, kind="need", body="Indicateur rue Villa"))
    with client.session_transaction() as cookie:
        cookie["sid"] = accounts.start_login_session(find_user(world.facilitator.email))
    page = client.get(f"/t/{world.slug}/commitments/new?source={secret.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Indicateur rue Villa"' not in html  # a neutral title, written by hand
    assert "canal restreint" in html  # and the facilitator is told why


@pytest.mark.parametrize("method, path, body", [
    ("patch", "/api/v1/posts/{id}", {"body": "x"}),
    ("delete", "/api/v1/posts/{id}", None),
    ("post", "/api/v1/posts/{id}/support", None),
    ("post", "/api/v1/posts/{id}/decline", {"reason": "x"}),
    ("post", "/api/v1/posts/{id}/reopen", None),
    ("post", "/api/v1/posts/{id}/merge", {"into": 1}),
])
def test_a_hidden_post_answers_404_before_any_role_check(client, world, method, path, body):
    hidden = state_only(world)
    fac = access(find_user(world.facilitator.email), world.slug)
    secret, _ = posts.create_post(fac, PostInput(
        channel=hidden.id, kind="need", body="Indicateur rue Villa"))
    answer = getattr(client, method)(path.format(id=secret.id), json=body,
                                     headers=world.observer.bearer())
    unknown = getattr(client, method)(path.format(id=999_999), json=body,
                                      headers=world.observer.bearer())
    assert answer.status_code == unknown.status_code == 404
