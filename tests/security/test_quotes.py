"""Finding 2: events that quote posts (commitment sources, vote options) carry ids; the
words are resolved when read, through the audience rule. A channel restricted afterwards,
or a post deleted, takes its words out of catch-up, the API, the pages and the minutes."""
from __future__ import annotations

import json

from concert.services import accounts, channels, events, facilitation, posts, territories, workshops
from concert.services.access import access
from concert.services.accounts import find_user
from concert.schemas.workspace import PostInput
from concert.schemas.workshops import DotInput, VoteInput, WorkshopInput
from concert.schemas.workspace import ChannelChanges
from concert.schemas.facilitation import PromotionInput

SECRET = "Point de deal rue Félix-Pyat"
GONE = "Caméras place Jean-Jaurès"


def who(person, slug="metropole"):
    return access(find_user(person.email), slug)


def restrict_afterwards(world, channel_id: int) -> None:
    channels.update_channel(territories.system_access(world.slug), channel_id, ChannelChanges(
        **{"restricted_to": ["prefecture"]}))


def words(answer) -> str:
    """A JSON answer as text, non-ASCII unescaped."""
    return json.dumps(answer.json, ensure_ascii=False)


def catch_up(person) -> str:
    return json.dumps(events.missed(who(person).membership, 0), ensure_ascii=False)


def test_commitment_sources_leave_catch_up_and_api_once_restricted(client, world):
    channel = channels.list_channels(who(world.facilitator))[0].id
    need, _ = posts.create_post(who(world.actor), PostInput(
        channel=channel, kind="need", body=SECRET))
    facilitation.promote(who(world.facilitator), PromotionInput(**{
        "title": "Plan stupéfiants", "party": "etat", "source_posts": [need.id]}))
    assert SECRET in catch_up(world.actor)
    restrict_afterwards(world, channel)
    assert SECRET not in catch_up(world.actor)  # police nationale: no longer theirs
    assert SECRET in catch_up(world.facilitator)  # préfecture still reads it
    answer = client.get(f"/api/v1/territories/{world.slug}/commitments",
                        headers=world.actor.bearer())
    assert SECRET not in words(answer)
    assert answer.json["items"][0]["hidden_sources"] == 1


def live_vote(world):
    channel = channels.list_channels(who(world.facilitator))[0].id
    kept, _ = posts.create_post(who(world.actor), PostInput(
        channel=channel, kind="proposal", body=SECRET))
    deleted, _ = posts.create_post(who(world.actor), PostInput(
        channel=channel, kind="proposal", body=GONE))
    workshop = workshops.create(who(world.facilitator), WorkshopInput(**{
        "title": "Atelier", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Priorités", "minutes": 20}]}))
    workshops.start(who(world.facilitator), workshop.id)
    vote = workshops.open_vote(who(world.facilitator), workshop.id, VoteInput(
        **{"posts": [kept.id, deleted.id], "dots": 2}))
    workshops.place_dot(who(world.actors[1]), workshop.id, vote.id, DotInput(post=kept.id))
    return channel, workshop, vote, deleted


def test_vote_options_leave_every_view_once_restricted_or_deleted(client, world):
    channel, workshop, vote, deleted = live_vote(world)
    assert SECRET in catch_up(world.actor) and GONE in catch_up(world.actor)
    posts.delete_post(who(world.actor), deleted.id)
    assert GONE not in catch_up(world.actor) and GONE not in catch_up(world.facilitator)
    restrict_afterwards(world, channel)
    assert SECRET not in catch_up(world.actor)
    headers = world.actor.bearer()
    views = [
        client.get(f"/api/v1/workshops/{workshop.id}", headers=headers),
        client.get(f"/api/v1/workshops/{workshop.id}/votes/{vote.id}", headers=headers),
    ]
    for view in views:
        assert view.status_code == 200
        text = words(view)
        assert SECRET not in text and GONE not in text
    option = views[1].json["options"][0]
    assert option["hidden"] is True and option["dots"] == 1 and option["text"] == ""
    # The facilitator (préfecture) still reads the restricted one, never the deleted one.
    mine = words(client.get(f"/api/v1/workshops/{workshop.id}/votes/{vote.id}",
                            headers=world.facilitator.bearer()))
    assert SECRET in mine and GONE not in mine
    workshops.close(who(world.facilitator), workshop.id)
    minutes = json.dumps(workshops.minutes(who(world.actor), workshop.id), ensure_ascii=False)
    assert SECRET not in minutes and GONE not in minutes
    assert SECRET not in catch_up(world.actor)


def test_vote_options_leave_the_pages(client, world):
    channel, workshop, vote, _deleted = live_vote(world)
    restrict_afterwards(world, channel)
    with client.session_transaction() as cookie:
        cookie["sid"] = accounts.start_login_session(find_user(world.actor.email))
    for path in (f"/t/{world.slug}/workshops/{workshop.id}",
                 f"/t/{world.slug}/workshops/{workshop.id}/projector"):
        page = client.get(path)
        assert page.status_code == 200
        assert SECRET not in page.get_data(as_text=True)
