"""Helpers of the service tests: services are called as the adapters call them."""
from __future__ import annotations

import sqlalchemy as sa

from concert.db import db
from concert.models import Event, Post
from concert.schemas.workspace import PostInput
from concert.services import channels, posts
from tests.conftest import SLUG, as_


def channel_id(person, name: str = "Transports", slug: str = SLUG) -> int:
    return next(c.id for c in channels.list_channels(as_(person, slug)) if c.name == name)


def contribute(person, kind: str = "need", body: str = "Besoin d'éclairage", *,
               channel: int | None = None, slug: str = SLUG, **tag) -> Post:
    """`person` posts `body` (in the Transports channel unless told), tagged to a workshop
    or agenda item by `tag`."""
    post, _created = posts.create_post(as_(person, slug), PostInput(
        channel=channel or channel_id(person, slug=slug), kind=kind, body=body, **tag))
    return post


def events_of(type_: str) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.type == type_)
                                   .order_by(Event.seq)))
