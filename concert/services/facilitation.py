"""Facilitation: promote needs and proposals into commitments, merge duplicates, decline
with a reason, reopen. Facilitators only; every step is audited and broadcast."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import (
    Commitment, DuplicateSuggestion, Post, Support,
)
from ..schemas.facilitation import DeclineInput, MergeInput, PromotionInput
from ..schemas.workspace import CONSOLIDATION_PAGE, ConsolidationQuery
from . import (
    audience, audit, commitments, duplicates, events, notifications, posts, search, validation,
)
from .access import Access
from .errors import Conflict, Invalid


def promote(access: Access, data: PromotionInput) -> Commitment:
    """Creates a commitment from `data` and marks its source posts promoted. A post already
    promoted goes into a second commitment only when `repromote` is true."""
    access.require("facilitator")
    fields = commitments.parse_fields(access, data)
    sources = _sources(access, data.source_posts, repromote=data.repromote)
    if "channel" not in data.model_fields_set and sources and audience.open_to_all(sources[0].channel):
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


def promotion_draft(sources: list[Post]) -> dict:
    """What the promotion form starts with. A commitment is visible to every member: a
    source of a restricted channel lends it neither its words nor its channel, and the
    facilitator is told to write a neutral title."""
    restricted = any(not audience.open_to_all(post.channel) for post in sources)
    if restricted or not sources:
        return {"title": "", "channel": None, "restricted": restricted}
    first = sources[0]
    return {"title": first.body.splitlines()[0][:200] if first.body else "",
            "channel": first.channel_id, "restricted": False}


def decides(access: Access, post_id: Any) -> None:
    """Facilitators decide on contributions. An id the caller cannot see is 404 before the
    role's 403 (a refusal tells nothing of a hidden post); the API checks both before
    reading a body, so neither depends on what was sent."""
    posts.get_post(access, post_id)
    access.require("facilitator")


def merge(access: Access, post_id: Any, data: MergeInput) -> Post:
    """Merges a duplicate into the post kept: its supporters are added to the kept post's
    (each person counted once), and it links to it."""
    decides(access, post_id)
    into_id = data.into
    duplicate, kept = _contributions(access, (post_id, "id"), (into_id, "into"))
    if duplicate.id == kept.id:
        raise Invalid(_l("Une contribution ne peut pas être fusionnée avec elle-même."),
                      field="into")
    if duplicate.status != "open":
        raise Conflict(_l("Seule une contribution ouverte peut être fusionnée."))
    if kept.status not in ("open", "promoted"):
        raise Conflict(_l("La contribution cible est déjà fusionnée ou écartée."),
                       field="into")
    if not audience.reaches_all_of(kept.channel, duplicate.channel):
        # Its `merged_into` would name a post some of the duplicate's readers cannot see.
        raise Invalid(_l("La contribution cible est dans un canal plus restreint : tous "
                         "les lecteurs de celle-ci ne la verraient pas."), field="into")
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


def decline(access: Access, post_id: Any, data: DeclineInput) -> Post:
    decides(access, post_id)
    reason = data.reason
    [post] = _contributions(access, (post_id, "id"))
    if post.status != "open":
        raise Conflict(_l("Seule une contribution ouverte peut être écartée."))
    post.status, post.decline_reason = "declined", reason
    audit.record("post.decline", actor=access.user, territory=access.territory, obj=post,
                 before={"status": "open"}, after={"status": "declined", "reason": reason})
    _announce_status(access, post)
    db.session.commit()
    return post


def reopen(access: Access, post_id: Any) -> Post:
    posts.get_post(access, post_id)  # 404 before 403: a refusal tells nothing of a hidden post
    access.require("facilitator")
    [post] = _contributions(access, (post_id, "id"))
    if post.status != "declined":
        raise Conflict(_l("Seule une contribution écartée peut être rouverte."))
    reason, post.status, post.decline_reason = post.decline_reason, "open", None
    audit.record("post.reopen", actor=access.user, territory=access.territory, obj=post,
                 before={"status": "declined", "reason": reason}, after={"status": "open"})
    _announce_status(access, post)
    db.session.commit()
    return post


def _announce_status(access: Access, post: Post) -> None:
    """Every change of a contribution's status goes through here: its duplicate
    suggestions follow (only open contributions have any), its author is notified of a
    decision."""
    db.session.flush()
    duplicates.refresh(post)
    search.index_post(post)  # the status filter
    into = posts.commitments_of(post)
    events.record(access.territory, "post.status", {
        "id": post.id, "status": post.status, "reason": post.decline_reason,
        "merged_into": post.merged_into_id, "commitments": into,
    }, channel=post.channel, post_id=post.id)
    notifications.decided(access, post, into)


def _sources(access: Access, value: list[int], *, repromote: bool) -> list[Post]:
    sources = _contributions(access, *((post_id, "source_posts")
                                       for post_id in dict.fromkeys(value)))
    for post in sources:
        if post.status in ("merged", "declined"):
            raise Conflict(_l("La contribution n° %(id)d est fusionnée ou écartée : "
                              "rouvrez-la d'abord.", id=post.id), field="source_posts")
        if post.status == "promoted" and not repromote:
            raise Conflict(_l("La contribution n° %(id)d est déjà retenue : confirmez pour "
                              "l'ajouter à un second engagement.", id=post.id),
                           code="already_promoted", field="source_posts")
    return sources


def _contributions(access: Access, *wanted: tuple[Any, str]) -> list[Post]:
    """The needs or proposals asked for, as (id, field) pairs, that this facilitator may see
    and that are not deleted; read with their rows locked (posts.lock), so that what is
    checked next is what the change applies to."""
    found = [(posts.get_post(access, post_id), field) for post_id, field in wanted]
    posts.lock(*(post for post, _field in found))
    for post, field in found:
        if post.kind not in posts.CONTRIBUTION_KINDS:
            raise Invalid(_l("Seuls les besoins et les propositions sont concernés."),
                          field=field)
        if post.deleted_at is not None:
            raise Conflict(_l("Ce message a été supprimé."), field=field)
    return [post for post, _field in found]


# --- consolidation ------------------------------------------------------------------------

def open_contributions(access: Access, filters: ConsolidationQuery = ConsolidationQuery()
                       ) -> list[Post]:
    """The open needs and proposals this facilitator may see, most supported first, a page
    at a time (`after`: posts.page_key of the previous page's last). `text` keeps those
    holding each of its terms (accents and plurals aside, "phrases", prefix*); `organisation_kind`,
    those whose author spoke for that kind of organisation."""
    access.require("facilitator")
    query = posts.contributions_query(access, filters.channel, filters.kind, "open")
    if filters.organisation_kind is not None:
        query = query.where(Post.author_organisation_kind == filters.organisation_kind)
    if filters.text is not None:
        # The search index: every term, French-aware, one indexed match whatever the size
        # of the territory (services/search.py).
        matching = search.matching_posts(access.territory.id, filters.text)
        if matching is not None:
            query = query.where(Post.id.in_(matching))
    return posts.page(query, order="supports", after=filters.after_key(), limit=filters.limit)


def suggestions(access: Access, limit: int = 20) -> list[tuple[Post, Post, float]]:
    """The most likely duplicates of the territory (services/duplicates), most similar
    first (the newest among equals): the stored pairs read in the order of their index, a
    batch at a time, until `limit` of them are readable by this facilitator."""
    access.require("facilitator")
    rows = db.session.execute(
        sa.select(DuplicateSuggestion.post_id, DuplicateSuggestion.other_id,
                  DuplicateSuggestion.score)
        .where(DuplicateSuggestion.territory_id == access.territory.id)
        .order_by(DuplicateSuggestion.score.desc(), DuplicateSuggestion.other_id.desc(),
                  DuplicateSuggestion.post_id.desc())
        .execution_options(yield_per=limit))
    found: list[tuple[Post, Post, float]] = []
    for batch in rows.partitions():
        found += _readable(access, batch)
        if len(found) >= limit:
            break
    rows.close()
    return found[:limit]


def suggestions_of(access: Access, post_ids: list[int], per_post: int = 5
                   ) -> dict[int, list[dict]]:
    """For each of these posts, its likeliest duplicates: {"id", "channel", "score"},
    found through the pairs' keys (a post keeps a few pairs, the territory has many)."""
    access.require("facilitator")
    rows = db.session.execute(
        sa.select(DuplicateSuggestion.post_id, DuplicateSuggestion.other_id,
                  DuplicateSuggestion.score)
        .where(sa.or_(DuplicateSuggestion.post_id.in_(post_ids),
                      DuplicateSuggestion.other_id.in_(post_ids)))).all()
    found: dict[int, list[dict]] = {}
    for a, b, score in sorted(_readable(access, rows), key=lambda r: (-r[2], -r[1].id,
                                                                     -r[0].id)):
        for this, other in ((a, b), (b, a)):
            if this.id in post_ids and len(found.setdefault(this.id, [])) < per_post:
                found[this.id].append({"id": other.id, "channel": other.channel_id,
                                       "score": score})
    return found


def _readable(access: Access, rows) -> list[tuple[Post, Post, float]]:
    """The pairs whose two posts this facilitator may read (audience.readable_posts): a
    suggestion never shows, nor hints at, a post of a channel hidden from them."""
    rows = list(rows)
    readable = audience.readable_posts([i for a, b, _s in rows for i in (a, b)],
                                       audience.reader_kind(access))
    return [(readable[a], readable[b], score) for a, b, score in rows
            if a in readable and b in readable]
