"""The workspace rules (channels, posts, supports, event log), called on the services directly,
on both databases."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog, Event, Post, PostRevision, Territory
from concert.services import channels, events, posts
from concert.services.access import access
from concert.services.accounts import find_user
from concert.services.channels import DEFAULT_CHANNELS
from concert.services.errors import Conflict, Forbidden, Invalid, NotFound
from concert.schemas.workspace import (
    BodyInput, ChannelChanges, ChannelInput, PostInput, PostsQuery,
)
from tests.conftest import as_

pytestmark = pytest.mark.usefixtures("french")  # services speak French outside a request

STATE_ONLY = ["prefecture", "police_nationale"]


def first_channel(who) -> int:
    return channels.list_channels(who)[0].id


def post(person, body: str = "Bonjour", kind: str = "message", channel: int | None = None,
         **kw) -> posts.Post:
    who = as_(person)
    created, _ = posts.create_post(who, PostInput(
        channel=channel or first_channel(who), kind=kind, body=body, **kw))
    return created


def territory_events(slug: str = "metropole") -> list[Event]:
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == slug))
    return list(db.session.scalars(
        sa.select(Event).where(Event.territory_id == territory.id).order_by(Event.seq)))


@pytest.fixture
def state_channel(world):
    """A channel restricted to the State services: the facilitator (prefecture) and the
    police actor see it; the social landlord and the observer (justice) do not."""
    return channels.create_channel(as_(world.facilitator), ChannelInput(
        name="Renseignement opérationnel", description="Services de l'État", restricted_to=STATE_ONLY)).id


# --- channels ------------------------------------------------------------------------------

def test_default_channels_in_french_in_the_spec_order(world):
    names = [c.name for c in channels.list_channels(as_(world.actor))]
    assert names == [
        "Prévention de la délinquance", "Tranquillité publique", "Stupéfiants",
        "Violences intrafamiliales", "Transports", "Habitat social", "Vidéoprotection",
        "Jeunesse et milieu scolaire", "Coordination police municipale / forces de l'État",
    ]
    assert names == [name for name, _ in DEFAULT_CHANNELS]
    every = channels.list_channels(as_(world.actor))
    assert all(c.description and not c.archived and c.restricted_to is None for c in every)


def test_each_territory_has_its_own_defaults(world):
    mine = {c.id for c in channels.list_channels(as_(world.actor))}
    theirs = {c.id for c in channels.list_channels(as_(world.outsider, "autre"))}
    assert len(mine) == len(theirs) == 9 and not mine & theirs


def test_facilitator_creates_renames_archives_and_restricts(world):
    anim = as_(world.facilitator)
    channel = channels.create_channel(anim, ChannelInput(
        name="  Sécurité routière  ", description="Rodéos urbains"))
    assert channel.name == "Sécurité routière"
    assert channels.list_channels(anim)[-1].id == channel.id
    channels.update_channel(anim, channel.id, ChannelChanges(**{"name": "Rodéos urbains"}))
    channels.update_channel(anim, channel.id, ChannelChanges(**{"archived": True}))
    channels.update_channel(anim, channel.id, ChannelChanges(
        **{"restricted_to": ["police_nationale", "prefecture",
                                                                   "police_nationale"]}))
    assert channels.serialise(db.session.get(channels.Channel, channel.id)) == {
        "id": channel.id, "name": "Rodéos urbains", "description": "Rodéos urbains",
        "restricted_to": ["police_nationale", "prefecture"], "archived": True,
    }
    channels.update_channel(anim, channel.id, ChannelChanges(
        **{"archived": False, "restricted_to": None}))
    reopened = channels.get_channel(as_(world.actors[1]), channel.id, for_posting=True)
    assert reopened.restricted_to is None and not reopened.archived
    actions = db.session.scalars(sa.select(AuditLog.action).where(
        AuditLog.object_type == "channel", AuditLog.object_id == channel.id)).all()
    assert actions == ["channel.create"] + ["channel.update"] * 4


@pytest.mark.parametrize("role", ["actor", "observer"])
def test_only_facilitators_manage_channels(world, role):
    person = world.actor if role == "actor" else world.observer
    who = as_(person)
    with pytest.raises(Forbidden):
        channels.create_channel(who, ChannelInput(name="Mon canal"))
    with pytest.raises(Forbidden):
        channels.update_channel(who, first_channel(who), ChannelChanges(**{"name": "Renommé"}))
    with pytest.raises(Forbidden):
        channels.update_channel(who, first_channel(who), ChannelChanges(**{"archived": True}))


def test_duplicate_channel_names_conflict(world):
    anim = as_(world.facilitator)
    with pytest.raises(Conflict) as error:
        channels.create_channel(anim, ChannelInput(name="Stupéfiants"))
    assert error.value.field == "name"
    other = channels.create_channel(anim, ChannelInput(name="Nouveau"))
    with pytest.raises(Conflict):
        channels.update_channel(anim, other.id, ChannelChanges(**{"name": "Transports"}))
    channels.update_channel(anim, other.id, ChannelChanges(
        **{"name": "Nouveau"}))  # its own name is fine
    # The same name in another territory is another channel.
    assert channels.create_channel(as_(world.outsider, "autre"), ChannelInput(
        name="Nouveau")).name == "Nouveau"


@pytest.mark.parametrize("restricted_to", [["ministere"], "prefecture", [1], [["justice"]],
                                           {"prefecture": True}])
def test_unknown_organisation_kinds_are_invalid(world, restricted_to):
    anim = as_(world.facilitator)
    with pytest.raises(Invalid) as error:
        channels.create_channel(anim, ChannelInput(
            name="Restreint", description="", restricted_to=restricted_to))
    assert error.value.field == "restricted_to"
    with pytest.raises(Invalid):
        channels.update_channel(anim, first_channel(anim), ChannelChanges(
            **{"restricted_to": restricted_to}))


@pytest.mark.parametrize("changes, field", [
    ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 81}, "name"),
    ({"name": 12}, "name"), ({"archived": "oui"}, "archived"), ({"archived": 1}, "archived"),
    ({"description": ["a"]}, "description"),
])
def test_channel_changes_are_validated(world, changes, field):
    anim = as_(world.facilitator)
    with pytest.raises(Invalid) as error:
        channels.update_channel(anim, first_channel(anim), ChannelChanges(**changes))
    assert error.value.field == field


def test_channels_of_another_territory_are_not_found(world):
    theirs = channels.list_channels(as_(world.outsider, "autre"))[0].id
    with pytest.raises(NotFound):
        channels.update_channel(as_(world.facilitator), theirs, ChannelChanges(
            **{"name": "Piraté"}))
    with pytest.raises(NotFound):
        channels.get_channel(as_(world.actor), theirs)
    with pytest.raises(NotFound):
        posts.create_post(as_(world.actor), PostInput(
            channel=theirs, kind="message", body="Bonjour"))


def test_posting_in_an_archived_channel_is_refused(world):
    anim = as_(world.facilitator)
    channel = first_channel(anim)
    channels.update_channel(anim, channel, ChannelChanges(**{"archived": True}))
    with pytest.raises(Conflict) as error:
        post(world.actor, channel=channel)
    assert error.value.field == "channel"
    assert channel in [c.id for c in channels.list_channels(as_(world.actor))]
    assert channel not in [c.id for c in channels.list_channels(as_(world.actor),
                                                                include_archived=False)]


# --- posts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["", "   ", "\n\t\n", None, 42, ["texte"], {"body": "x"}])
def test_empty_or_non_text_bodies_are_invalid(world, body):
    with pytest.raises(Invalid) as error:
        post(world.actor, body)
    assert error.value.field == "body"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_body_length_limit(world):
    assert len(post(world.actor, "é" * 10_000).body) == 10_000
    with pytest.raises(Invalid) as error:
        post(world.actor, "é" * 10_001)
    assert error.value.field == "body"
    assert "10000" in str(error.value.message)


def test_post_is_stored_with_its_author_and_rendered_html(world):
    created = post(world.actor, "  **Urgent** : point de deal rue Longue  ", "need")
    data = posts.serialise(created)
    assert data["body"] == "**Urgent** : point de deal rue Longue"
    assert data["html"] == "<p><strong>Urgent</strong> : point de deal rue Longue</p>"
    assert data["author"] == {"id": world.actor.id, "name": "Paul Police",
                              "organisation": "DDSP 13", "organisation_kind": "police_nationale"}
    assert data["deleted"] is False and data["edited_at"] is None and data["supports"] == 0


@pytest.mark.parametrize("kind, status", [("message", None), ("need", "open"),
                                          ("proposal", "open")])
def test_kinds_and_their_status(world, kind, status):
    created = post(world.actor, kind=kind)
    assert created.kind == kind and created.status == status


@pytest.mark.parametrize("kind", ["besoin", "Need", "", None, 3, ["need"]])
def test_unknown_kinds_are_invalid(world, kind):
    with pytest.raises(Invalid) as error:
        post(world.actor, kind=kind)
    assert error.value.field == "kind"


@pytest.mark.parametrize("channel", ["abc", None, 1.5, True, [1], {"id": 1}, "1; DROP TABLE"])
def test_bad_channel_values_are_refused_cleanly(world, channel):
    with pytest.raises((Invalid, NotFound)) as error:
        posts.create_post(as_(world.actor), PostInput(
            channel=channel, kind="message", body="Bonjour"))
    assert error.value.field == "channel"


def test_nul_characters_are_invalid_not_a_database_error(world):
    """PostgreSQL stores no U+0000: refused with the field, on both databases alike."""
    with pytest.raises(Invalid) as error:
        post(world.actor, "avant\x00après")
    assert error.value.field == "body"
    with pytest.raises(Invalid) as error:
        post(world.actor, client_id="c\x00")
    assert error.value.field == "client_id"
    with pytest.raises(Invalid) as error:
        channels.create_channel(as_(world.facilitator), ChannelInput(name="Canal\x00"))
    assert error.value.field == "name"
    created = post(world.actor)
    with pytest.raises(Invalid):
        posts.edit_post(as_(world.actor), created.id, BodyInput(body="\x00"))


def test_unknown_channel_is_not_found(world):
    with pytest.raises(NotFound):
        posts.create_post(as_(world.actor), PostInput(
            channel=999_999, kind="message", body="Bonjour"))


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_out_of_range_integers_are_refused_cleanly(world, value):
    who = as_(world.actor)
    with pytest.raises((Invalid, NotFound)):
        posts.create_post(who, PostInput(channel=value, kind="message", body="Bonjour"))
    with pytest.raises((Invalid, NotFound)):
        posts.create_post(who, PostInput(
            channel=first_channel(who), kind="message", body="Bonjour", reply_to=value))
    with pytest.raises((Invalid, NotFound)):
        posts.get_post(who, value)
    with pytest.raises((Invalid, NotFound)):
        posts.list_posts(who, PostsQuery(after_seq=value))
    with pytest.raises((Invalid, NotFound)):
        posts.list_posts(who, PostsQuery(channel=str(value)))
    with pytest.raises((Invalid, NotFound)):
        channels.update_channel(as_(world.facilitator), value, ChannelChanges(**{"name": "x"}))


@pytest.mark.parametrize("value", ["²", "--1", "-", "1e3", "0x10", " ", "١٢"])
def test_strange_numbers_are_invalid(world, value):
    with pytest.raises(Invalid) as error:
        posts.list_posts(as_(world.actor), PostsQuery(limit=value))
    assert error.value.field == "limit"


def test_observers_do_not_post(world):
    with pytest.raises(Forbidden):
        post(world.observer)


def test_idempotent_client_id(world):
    first = post(world.actor, "Premier envoi", client_id="c-123")
    who = as_(world.actor)
    again, created = posts.create_post(who, PostInput(
        channel=first_channel(who), kind="need", body="Réessai", client_id="c-123"))
    assert not created and again.id == first.id and again.body == "Premier envoi"
    # Another author may use the same client_id: it is theirs.
    other = post(world.actors[1], client_id="c-123")
    assert other.id != first.id
    assert [e.type for e in territory_events()].count("post.created") == 2


def test_client_id_is_validated(world):
    with pytest.raises(Invalid) as error:
        post(world.actor, client_id="x" * 65)
    assert error.value.field == "client_id"
    with pytest.raises(Invalid):
        post(world.actor, client_id=123)


# --- replies -------------------------------------------------------------------------------

def test_reply_to_a_reply_joins_the_thread_root(world):
    root = post(world.actor, "Racine", "need")
    reply = post(world.actors[1], "Réponse", reply_to=root.id)
    deeper = post(world.facilitator, "Réponse à la réponse", reply_to=reply.id)
    assert reply.reply_to_id == root.id and deeper.reply_to_id == root.id
    db.session.refresh(root)
    assert root.reply_count == 2
    thread = posts.list_posts(as_(world.observer), PostsQuery(thread=root.id))
    assert [p.id for p in thread] == [reply.id, deeper.id]
    assert [p.id for p in posts.list_posts(as_(world.observer), PostsQuery(top_level=True))] == [root.id]


def test_reply_across_channels_is_refused(world):
    who = as_(world.actor)
    first, second = [c.id for c in channels.list_channels(who)[:2]]
    root = post(world.actor, channel=first)
    with pytest.raises(Invalid) as error:
        post(world.actors[1], channel=second, reply_to=root.id)
    assert error.value.field == "reply_to"


def test_reply_to_an_unknown_or_hidden_post_is_not_found(world, state_channel):
    hidden = post(world.actor, channel=state_channel)
    with pytest.raises(NotFound):
        post(world.actors[1], reply_to=hidden.id)
    with pytest.raises(NotFound):
        post(world.actors[1], reply_to=123_456)
    with pytest.raises(Invalid):
        post(world.actors[1], reply_to="pas un nombre")


# --- edits ---------------------------------------------------------------------------------

def test_edit_keeps_the_history(world):
    created = post(world.actor, "Version 1")
    posts.edit_post(as_(world.actor), created.id, BodyInput(body="Version 2"))
    edited = posts.edit_post(as_(world.actor), created.id, BodyInput(body="Version *3*"))
    assert edited.body == "Version *3*" and edited.html == "<p>Version <em>3</em></p>"
    assert edited.edited_at is not None and edited.edited_at >= edited.created_at
    history = posts.revisions(as_(world.actors[1]), created.id)
    assert [r.body for r in history] == ["Version 1", "Version 2"]
    assert history[0].written_at == created.created_at
    updates = [e for e in territory_events() if e.type == "post.updated"]
    assert [e.data["body"] for e in updates] == ["Version 2", "Version *3*"]


def test_editing_to_the_same_text_changes_nothing(world):
    created = post(world.actor, "Inchangé")
    same = posts.edit_post(as_(world.actor), created.id, BodyInput(body="  Inchangé "))
    assert same.edited_at is None and posts.revisions(as_(world.actor), created.id) == []
    assert [e.type for e in territory_events()] == ["post.created"]


@pytest.mark.parametrize("editor", ["facilitator", "other_actor", "observer"])
def test_only_the_author_edits(world, editor):
    created = post(world.actor, "Mon texte")
    person = {"facilitator": world.facilitator, "other_actor": world.actors[1],
              "observer": world.observer}[editor]
    with pytest.raises(Forbidden):
        posts.edit_post(as_(person), created.id, BodyInput(body="Leur texte"))
    assert db.session.get(Post, created.id).body == "Mon texte"


def test_edit_validates_the_body(world):
    created = post(world.actor)
    for body in ("", "  ", None, "x" * 10_001):
        with pytest.raises(Invalid):
            posts.edit_post(as_(world.actor), created.id, BodyInput(body=body))


# --- deletion ------------------------------------------------------------------------------

@pytest.mark.parametrize("deleter", ["author", "facilitator"])
def test_delete_empties_the_post_everywhere_but_the_audit(world, deleter):
    created = post(world.actor, "Secret v1", "need")
    posts.edit_post(as_(world.actor), created.id, BodyInput(body="Secret v2"))
    reply = post(world.actors[1], "Une réponse", reply_to=created.id)
    person = world.actor if deleter == "author" else world.facilitator
    deleted = posts.delete_post(as_(person), created.id)

    assert deleted.deleted_at is not None and deleted.body == "" and deleted.html == ""
    assert posts.serialise(deleted)["deleted"] is True
    assert db.session.scalars(sa.select(PostRevision).where(
        PostRevision.post_id == created.id)).all() == []
    # Every event about it keeps its seq and type, never the text.
    about = [e for e in territory_events() if e.post_id == created.id]
    assert [e.type for e in about] == ["post.created", "post.updated", "post.deleted"]
    assert all("Secret" not in str(e.data) for e in about)
    assert all(e.data["body"] == "" and e.data["html"] == "" and e.data["deleted"] for e in about)
    # What reconnecting clients replay does not carry it either.
    assert "Secret" not in str(events.missed(as_(world.actors[1]).membership, 0))
    # The thread keeps its placeholder and its replies.
    assert db.session.get(Post, reply.id).reply_to_id == created.id
    (entry,) = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "post.delete"))
    assert entry.object_id == created.id and entry.actor_id == person.id
    assert entry.before["body"] == "Secret v2" and entry.before["revisions"] == ["Secret v1"]


@pytest.mark.parametrize("deleter", ["other_actor", "observer"])
def test_others_cannot_delete(world, deleter):
    created = post(world.actor, "Reste")
    person = world.actors[1] if deleter == "other_actor" else world.observer
    with pytest.raises(Forbidden):
        posts.delete_post(as_(person), created.id)
    assert db.session.get(Post, created.id).deleted_at is None


def test_a_deleted_post_is_neither_deleted_again_nor_edited_nor_supported(world):
    created = post(world.actor, "Besoin", "need")
    posts.delete_post(as_(world.actor), created.id)
    with pytest.raises(Conflict):
        posts.delete_post(as_(world.facilitator), created.id)
    with pytest.raises(Conflict):
        posts.edit_post(as_(world.actor), created.id, BodyInput(body="Retour"))
    with pytest.raises(Conflict):
        posts.toggle_support(as_(world.actors[1]), created.id)


# --- supports ------------------------------------------------------------------------------

def test_support_toggles_one_per_person(world):
    need = post(world.actor, "Éclairage du parking", "need")
    landlord, anim = as_(world.actors[1]), as_(world.facilitator)
    assert posts.toggle_support(landlord, need.id)[1] is True
    supported, now = posts.toggle_support(anim, need.id)
    assert now is True and supported.support_count == 2
    withdrawn, now = posts.toggle_support(as_(world.actors[1]), need.id)
    assert now is False and withdrawn.support_count == 1
    assert posts.supporters(as_(world.actor), need.id) == [world.facilitator.id]
    again, now = posts.toggle_support(as_(world.actors[1]), need.id)
    assert now is True and again.support_count == 2
    counts = [e.data["supports"] for e in territory_events() if e.type == "post.supported"]
    assert counts == [1, 2, 1, 2]


def test_own_post_and_messages_cannot_be_supported(world):
    need = post(world.actor, "Mon besoin", "need")
    message = post(world.actor, "Un message")
    with pytest.raises(Conflict):
        posts.toggle_support(as_(world.actor), need.id)
    with pytest.raises(Conflict):
        posts.toggle_support(as_(world.actors[1]), message.id)
    with pytest.raises(Forbidden):
        posts.toggle_support(as_(world.observer), need.id)
    assert db.session.get(Post, need.id).support_count == 0


# --- the event log -------------------------------------------------------------------------

def test_every_change_is_an_event_with_gapless_increasing_seq(world):
    need = post(world.actor, "Besoin", "need")
    posts.edit_post(as_(world.actor), need.id, BodyInput(body="Besoin précisé"))
    posts.toggle_support(as_(world.actors[1]), need.id)
    reply = post(world.actors[1], "D'accord", reply_to=need.id)
    posts.delete_post(as_(world.actors[1]), reply.id)
    log = territory_events()
    assert [e.type for e in log] == ["post.created", "post.updated", "post.supported",
                                     "post.created", "post.deleted"]
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert events.latest_seq(log[0].territory_id) == len(log)
    # A post's seq is the seq of its creation event: chat order.
    assert db.session.get(Post, need.id).seq == 1 and db.session.get(Post, reply.id).seq == 4


def test_seq_is_independent_per_territory(world):
    post(world.actor)
    post(world.actor)
    who = as_(world.outsider, "autre")
    theirs, _ = posts.create_post(who, PostInput(
        channel=first_channel(who), kind="message", body="Ailleurs"))
    post(world.actor)
    assert theirs.seq == 1
    assert [e.seq for e in territory_events("autre")] == [1]
    assert [e.seq for e in territory_events()] == [1, 2, 3]


def test_a_refused_change_records_no_event(world):
    need = post(world.actor, "Besoin", "need")
    for refused in (lambda: post(world.actor, ""),
                    lambda: posts.edit_post(as_(world.actors[1]), need.id, BodyInput(body="x")),
                    lambda: posts.toggle_support(as_(world.actor), need.id),
                    lambda: post(world.observer)):
        with pytest.raises((Invalid, Forbidden, Conflict)):
            refused()
        db.session.rollback()
    post(world.actor)
    assert [e.seq for e in territory_events()] == [1, 2]


def test_missed_events_respect_channel_restriction(world, state_channel):
    public = post(world.actors[1], "Public")
    secret = post(world.actor, "Réservé à l'État", channel=state_channel)
    posts.edit_post(as_(world.actor), secret.id, BodyInput(body="Réservé, précisé"))
    later = post(world.actors[1], "Public encore")

    def seen(person, after=0):
        return [(e["seq"], e["type"], e["data"].get("id")) for e in
                events.missed(as_(person).membership, after)]

    everything = [(1, "post.created", public.id), (2, "post.created", secret.id),
                  (3, "post.updated", secret.id), (4, "post.created", later.id)]
    assert seen(world.actor) == everything
    assert seen(world.facilitator) == everything
    assert seen(world.actors[1]) == [everything[0], everything[3]]
    assert seen(world.observer) == [everything[0], everything[3]]
    assert seen(world.actors[1], after=1) == [everything[3]]
    assert seen(world.actor, after=4) == []
    assert "Réservé" not in str(events.missed(as_(world.actors[1]).membership, 0))
    assert events.missed(as_(world.outsider, "autre").membership, 0) == []
    assert all(e["territory"] == "metropole" for e in events.missed(as_(world.actor).membership, 0))
    for person in (world.actor, world.actors[1], world.outsider):
        # The catch-up's JSON text (the log's data as stored) says the same, to the same people.
        membership = as_(person, "autre" if person is world.outsider else "metropole").membership
        assert [json.loads(text) for text in events.missed_json(membership, 0)] == \
            events.missed(membership, 0)


def test_restricting_a_channel_later_hides_its_past_events(world):
    anim = as_(world.facilitator)
    channel = first_channel(anim)
    post(world.actor, "Dit en public")
    channels.update_channel(anim, channel, ChannelChanges(**{"restricted_to": STATE_ONLY}))
    assert events.missed(as_(world.actors[1]).membership, 0) == []
    assert posts.list_posts(as_(world.actors[1])) == []


# --- restricted channels -------------------------------------------------------------------

def test_restricted_channel_posts_are_not_found_for_other_kinds(world, state_channel):
    secret = post(world.actor, "Opération prévue jeudi", channel=state_channel)
    for person in (world.actors[1], world.observer):
        who = as_(person)
        with pytest.raises(NotFound):
            posts.get_post(who, secret.id)
        with pytest.raises(NotFound):
            posts.revisions(who, secret.id)
        with pytest.raises(NotFound):
            channels.get_channel(who, state_channel)
        with pytest.raises(NotFound):
            posts.list_posts(who, PostsQuery(channel=state_channel))
        assert secret.id not in [p.id for p in posts.list_posts(who)]
        assert state_channel not in [c.id for c in channels.list_channels(who)]
    with pytest.raises(NotFound):
        posts.toggle_support(as_(world.actors[1]), secret.id)
    with pytest.raises(NotFound):
        posts.delete_post(as_(world.actors[1]), secret.id)
    with pytest.raises(NotFound):
        post(world.actors[1], "Je m'invite", channel=state_channel)
    assert posts.get_post(as_(world.facilitator), secret.id).id == secret.id


def test_facilitator_outside_the_allowed_kinds_sees_the_channel_name_only(world):
    anim = as_(world.facilitator)
    police_only = channels.create_channel(anim, ChannelInput(
        name="Police seulement", description="", restricted_to=["police_nationale"])).id
    secret = post(world.actor, "Entre policiers", channel=police_only)
    assert police_only in [c.id for c in channels.list_channels(anim)]
    with pytest.raises(NotFound):
        posts.get_post(anim, secret.id)
    assert secret.id not in [p.id for p in posts.list_posts(anim)]
    assert events.missed(anim.membership, 0) == []


def test_posts_of_another_territory_are_not_found(world):
    mine = post(world.actor, "Chez nous")
    with pytest.raises(NotFound):
        access(find_user(world.outsider.email), "metropole")
    who = as_(world.outsider, "autre")
    with pytest.raises(NotFound):
        posts.get_post(who, mine.id)
    with pytest.raises(NotFound):
        posts.edit_post(who, mine.id, BodyInput(body="x"))
    with pytest.raises(NotFound):
        posts.delete_post(who, mine.id)
    assert posts.list_posts(who) == []


# --- listing -------------------------------------------------------------------------------

def test_list_pages_latest_backward_and_forward(world):
    created = [post(world.actor, f"Message {i}") for i in range(1, 8)]
    seqs = [p.seq for p in created]
    who = as_(world.observer)

    def page(**kw):
        return [p.seq for p in posts.list_posts(who, PostsQuery(**kw))]

    assert page() == seqs
    assert page(limit=3) == seqs[4:]
    assert page(limit=3, before_seq=seqs[4]) == seqs[1:4]
    assert page(limit=3, before_seq=seqs[1]) == seqs[:1]
    assert page(limit=3, before_seq=seqs[0]) == []
    assert page(limit=3, after_seq=0) == seqs[:3]
    assert page(limit=3, after_seq=seqs[2]) == seqs[3:6]
    assert page(limit=3, after_seq=seqs[-1]) == []
    assert page(limit="2", after_seq=str(seqs[0])) == seqs[1:3]
    assert page(limit=200) == seqs


@pytest.mark.parametrize("limit", [0, -1, 201, "0", "201", "beaucoup", 2.5, True, [10]])
def test_limit_bounds(world, limit):
    with pytest.raises(Invalid) as error:
        posts.list_posts(as_(world.actor), PostsQuery(limit=limit))
    assert error.value.field == "limit"


@pytest.mark.parametrize("name, value", [("after_seq", "x"), ("before_seq", [1]),
                                         ("thread", "abc"), ("kind", "besoin"),
                                         ("status", "fermé"), ("channel", "canal")])
def test_list_filters_are_validated(world, name, value):
    with pytest.raises(Invalid) as error:
        posts.list_posts(as_(world.actor), PostsQuery(**{name: value}))
    assert error.value.field == name


def test_list_filters_channel_kind_status(world):
    who = as_(world.actor)
    first, second = [c.id for c in channels.list_channels(who)[:2]]
    message = post(world.actor, "m", channel=first)
    need = post(world.actor, "b", "need", channel=first)
    proposal = post(world.actors[1], "p", "proposal", channel=second)
    reader = as_(world.observer)

    def ids(**kw):
        return [p.id for p in posts.list_posts(reader, PostsQuery(**kw))]

    assert ids(channel=first) == [message.id, need.id]
    assert ids(channel=str(second)) == [proposal.id]
    assert ids(kind="need") == [need.id]
    assert ids(kind="proposal", channel=first) == []
    assert ids(status="open") == [need.id, proposal.id]
    assert ids(status="declined") == []
    assert ids(kind="", status="", channel="") == [message.id, need.id, proposal.id]


def test_order_by_supports(world):
    low = post(world.actor, "peu", "need")
    high = post(world.actor, "beaucoup", "proposal")
    posts.toggle_support(as_(world.actors[1]), high.id)
    assert [p.id for p in posts.list_posts(as_(world.observer), PostsQuery(order="supports"))] == [
        high.id, low.id]


# --- presence heartbeat ------------------------------------------------------------------

def _writes_during(action) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_heartbeat_refreshes_its_connections_prunes_the_dead_and_idles_without_writing(world):
    from datetime import timedelta

    from concert.models import Connection, utcnow
    from concert.services import presence

    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == world.slug))
    long_ago = utcnow() - timedelta(hours=1)
    db.session.add_all([
        Connection(sid="mine", territory_id=territory.id, user_id=world.actor.id,
                   seen_at=long_ago),
        Connection(sid="dead", territory_id=territory.id, user_id=world.observer.id,
                   seen_at=long_ago),
    ])
    db.session.commit()

    presence.heartbeat(["mine"])
    assert db.session.scalars(sa.select(Connection.sid)).all() == ["mine"]
    assert db.session.get(Connection, ("mine", territory.id)).seen_at > long_ago

    # A process with no connection of its own and no dead row to prune leaves the database
    # alone: on SQLite even a write that matches no row takes the one write lock.
    db.session.execute(sa.delete(Connection))
    db.session.commit()
    assert _writes_during(lambda: presence.heartbeat([])) == []
