"""The workshop and vote resources (SPEC), as stored in events (options by post id) and
as worded for a reader; and the events that carry them."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ...db import db
from ...models.workshops import Dot, Vote, Workshop
from .. import audience, events, files, search
from ..access import Access
from .base import current_item, excerpt


def serialise(workshop: Workshop, *, now: datetime | None = None,
              reader: Access | None = None) -> dict:
    """The workshop resource (SPEC), its votes' options worded for `reader` (without: what
    every member may read). `server_now` is given when asked (answers and pages, not
    stored events): clients take their clock's offset from it, so every screen shows the
    same remaining time."""
    return with_option_texts(stored(workshop, now=now), audience.reader_kind(reader))


def stored(workshop: Workshop, *, now: datetime | None = None) -> dict:
    item = current_item(workshop)
    data = {
        "id": workshop.id,
        "title": workshop.title,
        "starts_at": workshop.starts_at.isoformat(),
        "place": workshop.place,
        "online_url": workshop.online_url,
        "invited": list(workshop.invited),
        "status": workshop.status,
        "agenda": [{"id": i.id, "position": i.position, "title": i.title,
                    "minutes": i.minutes, "channel": i.channel_id} for i in workshop.agenda],
        "current_item": workshop.current_item if item else None,
        "current_agenda_item": item.id if item else None,
        "item_started_at": workshop.item_started_at.isoformat() if item else None,
        "item_ends_at": ((workshop.item_started_at + timedelta(minutes=item.minutes))
                         .isoformat() if item else None),
        "started_at": workshop.started_at.isoformat() if workshop.started_at else None,
        "closed_at": workshop.closed_at.isoformat() if workshop.closed_at else None,
        "cancelled_at": workshop.cancelled_at.isoformat() if workshop.cancelled_at else None,
        "cancel_reason": workshop.cancel_reason,
        "votes": [stored_vote(v) for v in votes_of(workshop)],
        "attachments": files.serialise_all(workshop),
    }
    if now is not None:
        data["server_now"] = now.isoformat()
    return data


def votes_of(workshop: Workshop) -> list[Vote]:
    return list(db.session.scalars(sa.select(Vote).where(Vote.workshop_id == workshop.id)
                                   .order_by(Vote.id)))


def serialise_vote(vote: Vote, reader: Access | None = None) -> dict:
    return _vote_texts(stored_vote(vote), audience.reader_kind(reader))


@events.quotes_posts("workshop.started", "workshop.agenda", "workshop.closed",
                     "workshop.vote")
def with_option_texts(data: dict, kind: str | None) -> dict:
    """A workshop or vote event's options, worded for a reader of that organisation kind."""
    data = dict(data)
    if "votes" in data:
        data["votes"] = [_vote_texts(v, kind) for v in data["votes"]]
    if "vote" in data:
        data["vote"] = _vote_texts(data["vote"], kind)
    return data


def _vote_texts(vote: dict, kind: str | None) -> dict:
    """An option whose post was deleted, or whose channel is now hidden from the reader,
    keeps its dots and loses its words."""
    readable = audience.readable_posts([o["post"] for o in vote["options"]], kind)
    options = []
    for option in vote["options"]:
        post = readable.get(option["post"])
        options.append({"post": option["post"], "dots": option["dots"], "hidden": post is None,
                        "kind": post.kind if post else None,
                        "text": excerpt(post) if post else "",
                        "organisation": post.author_organisation if post else ""})
    return {**vote, "options": options}


def stored_vote(vote: Vote) -> dict:
    """Results are anonymous: dots per post, never who placed them. Options by post id:
    their words are resolved for each reader (_vote_texts)."""
    counts = dict(db.session.execute(
        sa.select(Dot.post_id, sa.func.count()).where(Dot.vote_id == vote.id)
        .group_by(Dot.post_id)).all())
    voters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Dot.user_id)))
                               .where(Dot.vote_id == vote.id))
    options = [{"post": post_id, "dots": counts.get(post_id, 0)} for post_id in vote.post_ids]
    return {"id": vote.id, "question": vote.question, "dots": vote.dots, "status": vote.status,
            "agenda_item": vote.agenda_item_id, "opened_at": vote.opened_at.isoformat(),
            "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
            "options": options, "voters": voters or 0,
            "total": sum(counts.values())}


def announce(access: Access, workshop: Workshop, type_: str) -> None:
    """Every change of a workshop after its creation comes through here: so does its
    search entry."""
    db.session.flush()
    search.index_workshop(workshop)
    events.record(access.territory, type_, stored(workshop))


def announce_vote(access: Access, workshop: Workshop, vote: Vote) -> None:
    db.session.flush()
    events.record(access.territory, "workshop.vote",
                  {"workshop": workshop.id, "vote": stored_vote(vote)})
