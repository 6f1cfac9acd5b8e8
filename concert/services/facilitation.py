"""Facilitation: promote needs and proposals into commitments, merge duplicates, decline
with a reason, reopen. Facilitators only; every step is audited and broadcast."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Commitment, Post, Support
from . import audit, commitments, events, posts, validation
from .access import Access
from .errors import Conflict, Invalid


def promote(access: Access, data: dict) -> Commitment:
    """Creates a commitment from `data` and marks its source posts promoted. A post already
    promoted goes into a second commitment only when `repromote` is true."""
    access.require("facilitator")
    fields = commitments.parse_fields(access, data, partial=False)
    sources = _sources(access, data.get("source_posts", []),
                       repromote=data.get("repromote") is True)
    if "channel" not in data and sources:
        fields["channel_id"] = sources[0].channel_id  # the domain the need was raised in
    commitment = commitments.create(access, fields, sources)
    for post in sources:
        before = post.status
        post.status = "promoted"
        audit.record("post.promote", actor=access.user, territory=access.territory, obj=post,
                     before={"status": before},
                     after={"status": "promoted", "commitment": commitment.id})
        _announce_status(access, post)
    db.session.commit()
    return commitment


def merge(access: Access, post_id: Any, into_id: Any) -> Post:
    """Merges a duplicate into the post kept: its supporters are added to the kept post's
    (each person counted once), and it links to it."""
    access.require("facilitator")
    duplicate = _contribution(access, post_id, "id")
    kept = _contribution(access, into_id, "into")
    if duplicate.id == kept.id:
        raise Invalid(_l("Une contribution ne peut pas être fusionnée avec elle-même."),
                      field="into")
    if duplicate.status != "open":
        raise Conflict(_l("Seule une contribution ouverte peut être fusionnée."))
    if kept.status not in ("open", "promoted"):
        raise Conflict(_l("La contribution cible est déjà fusionnée ou déclinée."),
                       field="into")
    already = set(db.session.scalars(sa.select(Support.user_id).where(Support.post_id == kept.id)))
    for user_id in db.session.scalars(sa.select(Support.user_id).where(
            Support.post_id == duplicate.id)):
        if user_id not in already and user_id != kept.author_id:
            db.session.add(Support(post_id=kept.id, user_id=user_id))
    db.session.flush()
    kept.support_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Support).where(Support.post_id == kept.id))
    duplicate.status, duplicate.merged_into_id = "merged", kept.id
    audit.record("post.merge", actor=access.user, territory=access.territory, obj=duplicate,
                 before={"status": "open"}, after={"status": "merged", "into": kept.id})
    _announce_status(access, duplicate)
    events.record(access.territory, "post.supported",
                  {"id": kept.id, "supports": kept.support_count, "supported": None,
                   "user": None}, channel=kept.channel, post_id=kept.id)
    db.session.commit()
    return duplicate


def decline(access: Access, post_id: Any, reason: Any) -> Post:
    access.require("facilitator")
    post = _contribution(access, post_id, "id")
    reason = validation.text(reason, "reason", max_length=2000)
    if post.status != "open":
        raise Conflict(_l("Seule une contribution ouverte peut être déclinée."))
    post.status, post.decline_reason = "declined", reason
    audit.record("post.decline", actor=access.user, territory=access.territory, obj=post,
                 before={"status": "open"}, after={"status": "declined", "reason": reason})
    _announce_status(access, post)
    db.session.commit()
    return post


def reopen(access: Access, post_id: Any) -> Post:
    access.require("facilitator")
    post = _contribution(access, post_id, "id")
    if post.status != "declined":
        raise Conflict(_l("Seule une contribution déclinée peut être rouverte."))
    reason, post.status, post.decline_reason = post.decline_reason, "open", None
    audit.record("post.reopen", actor=access.user, territory=access.territory, obj=post,
                 before={"status": "declined", "reason": reason}, after={"status": "open"})
    _announce_status(access, post)
    db.session.commit()
    return post


def _announce_status(access: Access, post: Post) -> None:
    db.session.flush()
    events.record(access.territory, "post.status", {
        "id": post.id, "status": post.status, "reason": post.decline_reason,
        "merged_into": post.merged_into_id, "commitments": posts.commitments_of(post),
    }, channel=post.channel, post_id=post.id)


def _sources(access: Access, value: Any, *, repromote: bool) -> list[Post]:
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise Invalid(_l("Liste d'identifiants de messages attendue."), field="source_posts")
    sources = [_contribution(access, post_id, "source_posts") for post_id in dict.fromkeys(value)]
    for post in sources:
        if post.status in ("merged", "declined"):
            raise Conflict(_l("La contribution n° %(id)d est fusionnée ou déclinée : "
                              "rouvrez-la d'abord.", id=post.id), field="source_posts")
        if post.status == "promoted" and not repromote:
            raise Conflict(_l("La contribution n° %(id)d est déjà promue : confirmez pour "
                              "l'ajouter à un second engagement.", id=post.id),
                           code="already_promoted", field="source_posts")
    return sources


def _contribution(access: Access, post_id: Any, field: str) -> Post:
    """A need or proposal this facilitator may see, not deleted."""
    post = posts.get_post(access, post_id)
    if post.kind not in posts.CONTRIBUTION_KINDS:
        raise Invalid(_l("Seuls les besoins et les propositions sont concernés."), field=field)
    if post.deleted_at is not None:
        raise Conflict(_l("Ce message a été supprimé."), field=field)
    return post
