"""Posts of the workspace: messages, needs and proposals; replies, edits, deletion, supports."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..labels import author_name
from ..models import (
    CONTRIBUTION_KINDS, Commitment, CommitmentSource, Event, Post,
    PostRevision, Support, utcnow,
)
from ..models.workshops import Workshop
from ..schemas.workspace import (
    MAX_PAGE, BodyInput, ContributionsQuery, PostChanges, PostInput, PostsQuery,
)
from . import (
    audience, audit, channels, duplicates, events, files, mentions, notifications, search,
    validation,
)
from .access import Access, access_via, in_territory
from .errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from .security import render_markdown

# Who may write and support; observers only read.
CONTRIBUTOR_ROLES = ("facilitator", "actor")


def may_post(access: Access) -> None:
    """Facilitators and actors write; observers only read. The API checks it before reading
    a body too: an observer is answered 403 whatever they sent."""
    access.require(*CONTRIBUTOR_ROLES)


def create_post(access: Access, data: PostInput) -> tuple[Post, bool]:
    """Stores a post and its post.created event. Returns (post, created): the same
    `client_id` from the same author returns the first post instead of a duplicate.
    Posts made from a live workshop's page carry its id (and the current agenda item's)."""
    may_post(access)
    client_id, kind, body = data.client_id, data.kind, data.body
    if client_id is not None and (existing := _by_client_id(access, client_id)) is not None:
        return existing, False
    _within_rate(access)
    channel = channels.get_channel(access, data.channel, for_posting=True)
    parent = _parent(access, channel, data.reply_to)
    workshop_id = agenda_item_id = None
    if data.workshop is not None:
        workshop_id, agenda_item_id = _workshop_tag(access, data.workshop, data.agenda_item)
    rendered = mentions.render(access.territory, body, author_id=access.user.id)
    post = Post(
        territory_id=access.territory.id, channel_id=channel.id, author_id=access.user.id,
        author_organisation=access.membership.organisation,
        author_organisation_kind=access.membership.organisation_kind, kind=kind, body=body,
        html=rendered.html,
        status="open" if kind in CONTRIBUTION_KINDS else None,
        reply_to_id=parent.id if parent else None, client_id=client_id, seq=0,
        workshop_id=workshop_id, agenda_item_id=agenda_item_id,
    )
    post.author = access.user
    try:
        with db.session.begin_nested():
            db.session.add(post)
            db.session.flush()
    except IntegrityError:
        # The same client_id raced in from another request: that one won, return it.
        db.session.rollback()
        existing = _by_client_id(access, client_id) if client_id else None
        if existing is None:
            raise
        return existing, False
    if parent is not None:
        parent.reply_count = Post.reply_count + 1
    mentions.store(post, rendered.mentioned)
    if data.attachments:
        files.attach(access, data.attachments, post)
    event = events.record(access.territory, "post.created", {}, channel=channel, post_id=post.id)
    post.seq = event.seq
    event.data = serialise(post)
    duplicates.refresh(post)
    search.index_post(post)
    notifications.post_created(post, parent, data.reply_to)
    notifications.notify_mentions(post, rendered.newly_mentioned)
    db.session.commit()
    return post, True


def _within_rate(access: Access) -> None:
    """CONCERT_POSTS_PER_MINUTE per person, by page, API and socket alike (one count, in the
    database, so every server process agrees)."""
    if access.user is None:
        return
    limit = current_app.config["POSTS_PER_MINUTE"]
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.author_id == access.user.id, Post.created_at > utcnow() - timedelta(minutes=1)))
    if recent >= limit:
        raise TooManyRequests(_l("Vous publiez trop vite : attendez une minute."))


def editable(access: Access, post_id: Any) -> Post:
    """The post, if this member may edit it: 404 before 403 (a refusal tells nothing of a
    hidden post); the API checks this before reading a body, so it does not depend on
    what was sent."""
    post = get_post(access, post_id)
    access.require(*CONTRIBUTOR_ROLES)  # an author since made observer only reads
    if post.author_id != access.user.id:
        raise Forbidden(_l("Seul l'auteur peut modifier ce message."))
    if post.deleted_at is not None:
        raise Conflict(_l("Ce message a été supprimé."))
    return post


def edit_post(access: Access, post_id: Any, data: PostChanges) -> Post:
    """Authors edit their own posts; the previous text is kept in the history. Given,
    `attachments` is the post's whole list: a file left out is deleted."""
    post = editable(access, post_id)
    body = data.body
    attached = ("attachments" in data.model_fields_set
                and files.attach(access, data.attachments, post))
    if body == post.body and not attached:
        return post
    if body != post.body:
        db.session.add(PostRevision(post_id=post.id, body=post.body,
                                    written_at=post.edited_at or post.created_at))
        rendered = mentions.render(access.territory, body, author_id=access.user.id,
                                   previous=post.body)
        post.body, post.html = body, rendered.html
        mentions.store(post, rendered.mentioned)
        notifications.notify_mentions(post, rendered.newly_mentioned)
        duplicates.refresh(post)
        search.index_post(post)
    post.edited_at = utcnow()
    _announce(access, post, "post.updated")
    db.session.commit()
    return post


def delete_post(access: Access, post_id: Any) -> Post:
    """Soft delete by its author or a facilitator: a placeholder stays in the thread, the
    text leaves every view (the event log included) and is kept in the audit trail only."""
    post = get_post(access, post_id)  # 404 before 403
    access.require(*CONTRIBUTOR_ROLES)
    lock(post)  # a promotion at the same moment: either it waits for us or we see it
    if post.author_id != access.user.id and not access.is_facilitator:
        raise Forbidden(_l("Seul l'auteur ou un animateur peut supprimer ce message."))
    if post.deleted_at is not None:
        raise Conflict(_l("Ce message est déjà supprimé."))
    if post.status not in (None, "open"):
        raise Conflict(_l("Cette contribution a été traitée par l'animation : elle reste "
                          "visible pour garder la traçabilité."))
    revisions = [r.body for r in _revisions(post.id)]
    audit.record("post.delete", actor=access.user, territory=access.territory, obj=post,
                 before={"body": post.body, "kind": post.kind, "revisions": revisions})
    post.deleted_at = utcnow()
    post.body = post.html = ""
    mentions.store(post, frozenset())
    db.session.execute(sa.delete(PostRevision).where(PostRevision.post_id == post.id))
    notifications.post_deleted(post)
    files.discard_attachments(post)  # rows now, bytes once committed
    duplicates.refresh(post)
    search.index_post(post)
    # Earlier events carried the text and files: keep them (seq, type) but without.
    redacted = serialise(post)
    for old in db.session.scalars(sa.select(Event).where(Event.post_id == post.id)):
        old.data = {**old.data, **{k: redacted[k] for k in ("body", "html", "deleted",
                                                            "attachments") if k in old.data}}
    _announce(access, post, "post.deleted")
    db.session.commit()
    return post


def toggle_support(access: Access, post_id: Any) -> tuple[Post, bool]:
    """One support per person on a need or proposal; calling again withdraws it."""
    post = get_post(access, post_id)  # 404 before 403
    access.require(*CONTRIBUTOR_ROLES)
    # Toggles of one post queue up on its row: each counts every support committed before
    # it (concurrent supports were lost), and a double click finds the first support.
    db.session.scalars(sa.select(Post).where(Post.id == post.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if post.kind not in CONTRIBUTION_KINDS:
        raise Conflict(_l("Seuls les besoins et les propositions peuvent être soutenus."))
    if post.deleted_at is not None:
        raise Conflict(_l("Ce message a été supprimé."))
    if post.author_id == access.user.id:
        raise Conflict(_l("Vous ne pouvez pas soutenir votre propre contribution."))
    existing = db.session.get(Support, (post.id, access.user.id))
    if existing is None:
        db.session.add(Support(post_id=post.id, user_id=access.user.id))
    else:
        db.session.delete(existing)
    db.session.flush()
    post.support_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Support).where(Support.post_id == post.id))
    supported = existing is None
    events.record(access.territory, "post.supported",
                  {"id": post.id, "supports": post.support_count, "supported": supported,
                   "user": {"id": access.user.id, "name": access.user.name}},
                  channel=post.channel, post_id=post.id)
    db.session.commit()
    return post, supported


def get_post(access: Access, post_id: Any) -> Post:
    """A post this member may see (404 for other territories and hidden channels)."""
    post = in_territory(access, Post, post_id, _l("Message introuvable."))
    if not audience.can_see_channel(access, post.channel):
        raise NotFound(_l("Message introuvable."))
    return post


def lock(*posts: Post) -> None:
    """Reads these posts again, their rows locked until commit (PostgreSQL; SQLite has one
    writer at a time anyway), so that of two people acting on the same post at once
    (promote, merge, decline, delete…), the second sees the status the first left. In id
    order, so that two such actions never wait on each other."""
    if posts:
        db.session.execute(
            sa.select(Post).where(Post.id.in_([p.id for p in posts])).order_by(Post.id)
            .with_for_update().execution_options(populate_existing=True)).all()


def post_access(user, post_id: Any) -> Access:
    return access_via(user, Post, post_id, _l("Message introuvable."))


def list_posts(access: Access, filters: PostsQuery = PostsQuery()) -> list[Post]:
    """Visible posts, oldest first. `after_seq` fetches what came after; `before_seq`
    pages backwards through history (the newest `limit` posts before it)."""
    query = _visible(access, filters.channel, filters.kind, filters.status)
    if filters.thread is not None:
        query = query.where(Post.reply_to_id == filters.thread)
    elif filters.top_level:
        query = query.where(Post.reply_to_id.is_(None))
    limit = filters.limit
    if filters.order == "supports":
        query = query.order_by(Post.support_count.desc(), Post.seq.desc())
        return list(db.session.scalars(query.limit(limit)))
    if filters.after_seq is not None:
        query = query.where(Post.seq > filters.after_seq)
    if filters.before_seq is not None:
        query = query.where(Post.seq < filters.before_seq)
        return list(reversed(db.session.scalars(query.order_by(Post.seq.desc()).limit(limit)).all()))
    if filters.after_seq is None:
        # No starting point: the latest page, as a chat opens at the bottom.
        return list(reversed(db.session.scalars(query.order_by(Post.seq.desc()).limit(limit)).all()))
    return list(db.session.scalars(query.order_by(Post.seq).limit(limit)))


def list_contributions(access: Access, filters: ContributionsQuery = ContributionsQuery()
                       ) -> list[Post]:
    """The needs and proposals on record (deleted ones left out), most supported first or,
    with order="recent", newest first; `after` is the `page_key` of the last one of the
    previous page."""
    return page(contributions_query(access, filters.channel, filters.kind, filters.status),
                order=filters.order, after=filters.after_key(), limit=filters.limit)


def contributions_query(access: Access, channel: int | None, kind: str | None,
                        status: str | None) -> sa.Select:
    return _visible(access, channel, kind, status).where(
        Post.kind.in_(CONTRIBUTION_KINDS), Post.deleted_at.is_(None))


def page(query: sa.Select, *, order: str, after: tuple[int, ...] | None,
         limit: int) -> list[Post]:
    """One page of contributions, read in the order of an index (keyset paging: no
    offset, so the thousandth page costs what the first does)."""
    if order == "supports":
        key = sa.tuple_(Post.support_count, Post.seq)
        query = query.order_by(Post.support_count.desc(), Post.seq.desc())
    else:
        key = Post.seq
        query = query.order_by(Post.seq.desc())
    if after is not None:
        query = query.where(key < (sa.tuple_(*after) if order == "supports" else after[0]))
    return list(db.session.scalars(query.limit(limit)))


def page_key(post: Post, order: str) -> str:
    """Where the next page starts, after this post (the `after` of list_contributions)."""
    return f"{post.support_count}.{post.seq}" if order == "supports" else str(post.seq)


def can_contribute(access: Access) -> bool:
    return access.role in CONTRIBUTOR_ROLES


def actions_for(access: Access, post: dict) -> dict[str, bool]:
    """What the page offers this member on a serialised post; the services above still
    decide (and explain a refusal) when the action is tried."""
    mine = post["author"]["id"] == access.user.id
    active = not post["deleted"] and can_contribute(access)  # observers only read
    facilitates = (not post["deleted"] and access.is_facilitator
                   and post["kind"] in CONTRIBUTION_KINDS)
    return {
        "edit": active and mine,
        "delete": active and (mine or access.is_facilitator) and post["status"] in (None, "open"),
        "support": active and not mine and post["kind"] in CONTRIBUTION_KINDS,
        "reply": active,
        "promote": facilitates and post["status"] == "open",
        "decline": facilitates and post["status"] == "open",
        "reopen": facilitates and post["status"] == "declined",
    }


def supported_ids(access: Access, post_ids: list[int]) -> set[int]:
    """Which of these posts the member supports."""
    if not post_ids:
        return set()
    return set(db.session.scalars(sa.select(Support.post_id).where(
        Support.user_id == access.user.id, Support.post_id.in_(post_ids))))


def preview(data: BodyInput, access: Access | None = None) -> str:
    """The HTML a body would be published as (by this member of a territory, its mentions
    linked); nothing is stored."""
    if access is None:
        return render_markdown(data.body)
    return mentions.render(access.territory, data.body, author_id=access.user.id).html


def revisions(access: Access, post_id: Any) -> list[PostRevision]:
    return _revisions(get_post(access, post_id).id)


def supporters(access: Access, post_id: Any) -> list[int]:
    post = get_post(access, post_id)
    return list(db.session.scalars(sa.select(Support.user_id).where(Support.post_id == post.id)))


def serialise(post: Post) -> dict:
    """The post resource (SPEC)."""
    author = post.author
    return {
        "id": post.id,
        "channel": post.channel_id,
        "kind": post.kind,
        "body": post.body,
        "html": post.html,
        "status": post.status,
        "author": {
            "id": author.id if author else None,
            "name": author_name(author),
            "organisation": post.author_organisation,
            "organisation_kind": post.author_organisation_kind,
        },
        "reply_to": post.reply_to_id,
        "replies": post.reply_count,
        "supports": post.support_count,
        "seq": post.seq,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "deleted": post.deleted_at is not None,
        "client_id": post.client_id,
        "merged_into": post.merged_into_id,
        "decline_reason": post.decline_reason,
        "commitments": commitments_of(post) if post.status == "promoted" else [],
        "workshop": post.workshop_id,
        "agenda_item": post.agenda_item_id,
        "attachments": files.serialise_all(post),
    }


def commitments_of(post: Post) -> list[dict]:
    """The commitments a post was promoted into (id, number, title)."""
    rows = db.session.execute(
        sa.select(Commitment.id, Commitment.number, Commitment.title)
        .join(CommitmentSource, CommitmentSource.commitment_id == Commitment.id)
        .where(CommitmentSource.post_id == post.id).order_by(Commitment.number))
    return [{"id": i, "number": n, "title": t} for i, n, t in rows]


def _announce(access: Access, post: Post, type_: str) -> None:
    events.record(access.territory, type_, serialise(post), channel=post.channel,
                  post_id=post.id)


def _workshop_tag(access: Access, workshop_id: Any, agenda_item_id: Any) -> tuple[int, int]:
    """(workshop id, agenda item id) for a post made from a live workshop's page: the
    workshop must be of this territory and live, and the item, if named, the current one.
    (Here, not in services/workshops, which builds on posts.)"""
    workshop = db.session.get(Workshop, workshop_id) if validation.is_id(workshop_id) else None
    if workshop is None or workshop.territory_id != access.territory.id:
        raise NotFound(_l("Atelier introuvable."))
    item = workshop.live_item
    if item is None:
        raise Conflict(_l("Cet atelier n'est pas en cours."), field="workshop")
    if agenda_item_id not in (None, "") and validation.integer(
            agenda_item_id, "agenda_item") != item.id:
        raise Conflict(_l("Ce point de l'ordre du jour n'est plus en cours."),
                       field="agenda_item")
    return workshop.id, item.id


def _revisions(post_id: int) -> list[PostRevision]:
    return list(db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post_id)
        .order_by(PostRevision.replaced_at)))


def _visible(access: Access, channel: int | None, kind: str | None,
             status: str | None) -> sa.Select:
    query = sa.select(Post).where(
        Post.territory_id == access.territory.id,
        Post.channel_id.in_(audience.visible_channel_ids(access)),
    )
    if channel is not None:
        query = query.where(Post.channel_id == channels.get_channel(access, channel).id)
    if kind is not None:
        query = query.where(Post.kind == kind)
    if status is not None:
        query = query.where(Post.status == status)
    return query


def _by_client_id(access: Access, client_id: str) -> Post | None:
    post = db.session.scalar(sa.select(Post).where(
        Post.author_id == access.user.id, Post.client_id == client_id))
    if post is not None and post.territory_id != access.territory.id:
        raise Conflict(_l("Cet identifiant client a déjà servi ailleurs."), field="client_id")
    return post


def _parent(access: Access, channel, reply_to: int | None) -> Post | None:
    if reply_to is None:
        return None
    parent = get_post(access, reply_to)
    if parent.channel_id != channel.id:
        raise Invalid(_l("La réponse doit être dans le canal du message d'origine."),
                      field="reply_to")
    # Threads are one level deep: replying to a reply joins its thread.
    return get_post(access, parent.reply_to_id) if parent.reply_to_id else parent
