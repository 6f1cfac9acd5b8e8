"""Dot-voting: a facilitator opens a vote on contributions of channels open to all; each
voter places N dots (one row per dot, so a retry never counts twice)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...db import db
from ...models import utcnow
from ...models.workshops import Dot, Vote, Workshop
from .. import audience, posts, search, validation
from ..access import Access
from ..errors import Conflict, Invalid, NotFound
from ...schemas.workshops import DotInput, VoteInput
from .base import current_item, facilitates, get, live, may_vote
from .serialisation import announce_vote


def open_vote(access: Access, workshop_id: Any, data: VoteInput) -> Vote:
    facilitates(access)
    workshop = live(access, workshop_id)
    if open_vote_of(workshop) is not None:
        raise Conflict(_l("Un vote est déjà ouvert : clôturez-le d'abord."))
    question, dots = data.question or _("Priorités"), data.dots
    post_ids = []
    for post_id in data.posts:
        post = posts.get_post(access, post_id)
        if (post.kind not in posts.CONTRIBUTION_KINDS or post.deleted_at is not None
                or post.status not in ("open", "promoted")):
            raise Invalid(_l("La contribution n° %(id)d ne peut pas être soumise au vote : "
                             "seuls les besoins et propositions ouverts ou retenus le "
                             "peuvent.", id=post.id),
                          field="posts")
        if not audience.open_to_all(post.channel):
            raise Invalid(_l("La contribution n° %(id)d est dans un canal restreint : tous les "
                             "participants ne la voient pas.", id=post.id), field="posts")
        post_ids.append(post.id)
    item = current_item(workshop)
    vote = Vote(workshop_id=workshop.id, agenda_item_id=item.id if item else None,
                question=question, dots=dots, post_ids=post_ids, status="open")
    db.session.add(vote)
    db.session.flush()
    search.index_workshop(workshop)  # the question voted on
    announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def place_dot(access: Access, workshop_id: Any, vote_id: Any, data: DotInput) -> Vote:
    """Places one of the member's dots on a post of the open vote. With `slot` (0 to
    dots−1), that dot is placed or moved: sending it again changes nothing. Without, the
    first free dot is used."""
    may_vote(access)
    workshop, vote = _open(access, workshop_id, vote_id)
    post_id, slot = data.post, data.slot
    if post_id not in vote.post_ids:
        raise Invalid(_l("Cette contribution n'est pas soumise à ce vote."), field="post")
    mine = my_dots(access, vote)
    if slot is None:
        free = [s for s in range(vote.dots) if s not in mine]
        if not free:
            raise Conflict(_l("Vous avez placé tous vos points (%(n)d) : déplacez-en un.",
                              n=vote.dots), code="no_dot_left", field="slot")
        slot = free[0]
    if not 0 <= slot < vote.dots:
        raise Invalid(_l("Vous avez %(n)d points (0 à %(last)d).", n=vote.dots,
                         last=vote.dots - 1), field="slot")
    if mine.get(slot) == post_id:
        return vote
    try:
        with db.session.begin_nested():
            dot = db.session.get(Dot, (vote.id, access.user.id, slot))
            if dot is None:
                db.session.add(Dot(vote_id=vote.id, user_id=access.user.id, slot=slot,
                                   post_id=post_id))
            else:
                dot.post_id, dot.placed_at = post_id, utcnow()
            db.session.flush()
    except IntegrityError:  # the same dot placed at the same moment: it is one dot
        db.session.execute(sa.update(Dot).where(
            Dot.vote_id == vote.id, Dot.user_id == access.user.id, Dot.slot == slot)
            .values(post_id=post_id, placed_at=utcnow()))
    announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def remove_dot(access: Access, workshop_id: Any, vote_id: Any, slot: Any) -> Vote:
    may_vote(access)
    workshop, vote = _open(access, workshop_id, vote_id)
    slot = validation.integer(slot, "slot")
    deleted = db.session.execute(sa.delete(Dot).where(
        Dot.vote_id == vote.id, Dot.user_id == access.user.id, Dot.slot == slot)).rowcount
    if deleted:
        announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def close_vote(access: Access, workshop_id: Any, vote_id: Any) -> Vote:
    facilitates(access)
    workshop, vote = _open(access, workshop_id, vote_id)
    vote.status, vote.closed_at = "closed", utcnow()
    announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def get_vote(access: Access, workshop_id: Any, vote_id: Any) -> Vote:
    workshop = get(access, workshop_id)
    vote = db.session.get(Vote, vote_id) if validation.is_id(vote_id) else None
    if vote is None or vote.workshop_id != workshop.id:
        raise NotFound(_l("Vote introuvable."))
    return vote


def _open(access: Access, workshop_id: Any, vote_id: Any) -> tuple[Workshop, Vote]:
    vote = get_vote(access, workshop_id, vote_id)
    db.session.execute(sa.select(Vote).where(Vote.id == vote.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if vote.status != "open":
        raise Conflict(_l("Ce vote est clos."), code="vote_closed")
    return db.session.get(Workshop, vote.workshop_id), vote


def open_vote_of(workshop: Workshop) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.workshop_id == workshop.id,
                                                   Vote.status == "open"))


def my_dots(access: Access, vote: Vote) -> dict[int, int]:
    """slot → post of this member's dots in a vote."""
    if access.user is None:
        return {}
    return dict(db.session.execute(sa.select(Dot.slot, Dot.post_id).where(
        Dot.vote_id == vote.id, Dot.user_id == access.user.id)).all())
