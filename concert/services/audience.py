"""Who may see what in a territory. The ONE rule, used by broadcast, catch-up, API listing,
search, mail and export alike: a member sees everything of their territory except the
channels restricted to organisation kinds other than theirs; the system reader (the
command line, exports run from it) sees what every member may see; anyone else (a platform
admin managing a territory they are not a member of) sees no channel. Every question is
asked with an `Access`. A wrong answer here is a data leak."""
from __future__ import annotations

import sqlalchemy as sa

from ..db import db
from ..models import Channel, Event, Membership, Post
from .access import Access


def _allows(restricted_to: list[str] | None, organisation_kind: str) -> bool:
    return not restricted_to or organisation_kind in restricted_to


def _sees(access: Access, restricted_to: list[str] | None) -> bool:
    if access.membership is not None:
        return _allows(restricted_to, access.membership.organisation_kind)
    return access.system and not restricted_to


def open_to_all(channel: Channel) -> bool:
    return not channel.restricted_to


def reaches_all_of(channel: Channel, other: Channel) -> bool:
    """Whether everyone who sees `other` also sees `channel`."""
    if not channel.restricted_to:
        return True
    return bool(other.restricted_to) and set(other.restricted_to) <= set(channel.restricted_to)


def can_see_channel(access: Access, channel: Channel) -> bool:
    return channel.territory_id == access.territory.id and _sees(access, channel.restricted_to)


def sees_beyond(access: Access, kind: str) -> bool:
    """Whether members of `kind` would see a channel of the territory hidden from this
    reader (a reader without membership sees only what is open to all)."""
    restrictions = db.session.scalars(sa.select(Channel.restricted_to).where(
        Channel.territory_id == access.territory.id))
    viewer_kind = reader_kind(access)
    return any(_allows(restricted, kind) and not (
        viewer_kind is not None and _allows(restricted, viewer_kind))
        for restricted in restrictions)


def reader_kind(access: Access | None) -> str | None:
    """Whom text is resolved for: a member's organisation kind, or None for what every
    member may see (the system reader, a platform admin, a stored event)."""
    return access.membership.organisation_kind if access and access.membership else None


def readable_posts(post_ids: list[int], kind: str | None) -> dict[int, Post]:
    """Of these posts, those whose words a reader of organisation kind `kind` may see (None:
    open to all; see reader_kind): not deleted, in a channel open to them. Events quote
    posts by id only; their text is resolved here when the event is read."""
    if not post_ids:
        return {}
    rows = db.session.execute(sa.select(Post, Channel.restricted_to).join(
        Channel, Channel.id == Post.channel_id).where(
        Post.id.in_(post_ids), Post.deleted_at.is_(None))).all()
    return {post.id: post for post, restricted in rows
            if (not restricted if kind is None else _allows(restricted, kind))}


def visible_channels(access: Access) -> list[Channel]:
    """The channels of the territory this reader may see, in the territory's order.
    Restriction lists are short and channels few, so the rule is applied here in Python,
    the same way on every database, rather than with each database's JSON operators."""
    return [channel for channel in db.session.scalars(
        sa.select(Channel).where(Channel.territory_id == access.territory.id)
        .order_by(Channel.position, Channel.id)) if _sees(access, channel.restricted_to)]


def visible_channel_ids(access: Access) -> list[int]:
    rows = db.session.execute(sa.select(Channel.id, Channel.restricted_to).where(
        Channel.territory_id == access.territory.id))
    return [channel_id for channel_id, restricted in rows if _sees(access, restricted)]


def visible_events(access: Access) -> sa.ColumnElement[bool]:
    """SQL condition on Event: of the reader's territory, and of no channel hidden from them."""
    return sa.and_(
        Event.territory_id == access.territory.id,
        sa.or_(Event.channel_id.is_(None),
               Event.channel_id.in_(visible_channel_ids(access))),
    )


def territory_room(territory_id: int) -> str:
    return f"t:{territory_id}"


def kind_room(territory_id: int, organisation_kind: str) -> str:
    return f"t:{territory_id}:k:{organisation_kind}"


def workshop_room(workshop_id: int) -> str:
    """Connections showing a workshop's page: its presence list goes only there."""
    return f"w:{workshop_id}"


def user_room(user_id: int) -> str:
    """Every socket of one person, joined to a territory or not."""
    return f"u:{user_id}"


def credential_room(kind: str, credential_id: int) -> str:
    """Every socket opened with one credential: kind "session" (a login_sessions row) or
    "token" (an api_tokens row)."""
    return f"c:{kind}:{credential_id}"


def rooms_for_member(membership: Membership) -> list[str]:
    """The Socket.IO rooms a member's connection joins in their territory."""
    return [territory_room(membership.territory_id),
            kind_room(membership.territory_id, membership.organisation_kind)]


def rooms_for_channel(territory_id: int, channel: Channel | None) -> list[str]:
    """Where an event goes: the whole territory, or only the rooms of the allowed kinds."""
    if channel is None or not channel.restricted_to:
        return [territory_room(territory_id)]
    return [kind_room(territory_id, kind) for kind in channel.restricted_to]
