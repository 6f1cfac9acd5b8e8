"""Channels and posts of a territory's workspace."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..schemas.common import parse
from ..schemas.mentions import MentionCandidateList, MentionQuery
from ..schemas.workspace import (
    Channel, ChannelChanges, ChannelInput, ChannelList, Post, PostChanges, PostInput,
    PostPage, PostRevisionList, PostsQuery, Preview, PreviewInput,
)
from ..services import channels, mentions, posts
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


def _post_access(post_id: int):
    return posts.post_access(current_user, post_id)


@bp.get("/territories/<slug>/channels")
@declare({200: ChannelList}, errors=(404,))
@signed_in
def list_channels(slug: str):
    """Channels I may see (facilitators: all, to manage them)."""
    where = access(current_user, slug)
    return jsonify({"items": [channels.serialise(c) for c in channels.list_channels(where)]})


@bp.post("/territories/<slug>/channels")
@declare({201: Channel}, body=ChannelInput, errors=(403, 404, 409))
@signed_in
def create_channel(slug: str):
    """Create a channel (facilitators)."""
    where = access(current_user, slug)
    channel = channels.create_channel(where, parse(ChannelInput, json_body()))
    return jsonify(channels.serialise(channel)), 201


@bp.patch("/territories/<slug>/channels/<int:channel_id>")
@declare({200: Channel}, body=ChannelChanges, errors=(403, 404, 409))
@signed_in
def update_channel(slug: str, channel_id: int):
    """Rename, describe, archive or restrict a channel (facilitators)."""
    where = access(current_user, slug, admin=True)
    channel = channels.update_channel(where, channel_id, parse(ChannelChanges, json_body()))
    return jsonify(channels.serialise(channel))


@bp.get("/territories/<slug>/posts")
@declare({200: PostPage}, query=PostsQuery, errors=(404,))
@signed_in
def list_posts(slug: str):
    """Posts I may see, oldest first: without `after_seq`/`before_seq` the latest page;
    `before_seq` pages backwards; `order=supports` ranks needs and proposals by support."""
    where = access(current_user, slug)
    args = request.args
    items = posts.list_posts(where, PostsQuery(**args.to_dict()))
    supported = posts.supported_ids(where, [p.id for p in items])
    return jsonify({
        "items": [{**posts.serialise(p), "supported": p.id in supported} for p in items],
        "first_seq": items[0].seq if items else None,
        "last_seq": items[-1].seq if items else None,
    })


@bp.post("/territories/<slug>/posts")
@declare({201: Post, 200: Post}, body=PostInput, errors=(403, 404, 409, 429))
@signed_in
def create_post(slug: str):
    """Post a message, need or proposal (idempotent by `client_id`: the same one again
    answers 200 with the first post); 429 past CONCERT_POSTS_PER_MINUTE a minute."""
    where = access(current_user, slug)
    posts.may_post(where)
    post, created = posts.create_post(where, parse(PostInput, json_body()))
    return jsonify(posts.serialise(post)), 201 if created else 200


@bp.get("/posts/<int:post_id>")
@declare({200: Post}, errors=(404,))
@signed_in
def get_post(post_id: int):
    """One post."""
    where = _post_access(post_id)
    post = posts.get_post(where, post_id)
    return jsonify({**posts.serialise(post),
                    "supported": post.id in posts.supported_ids(where, [post.id])})


@bp.patch("/posts/<int:post_id>")
@declare({200: Post}, body=PostChanges, errors=(403, 404, 409))
@signed_in
def edit_post(post_id: int):
    """Edit my post (the previous text goes to its history) and, given, its attachments."""
    where = _post_access(post_id)
    posts.editable(where, post_id)
    post = posts.edit_post(where, post_id, parse(PostChanges, json_body()))
    return jsonify(posts.serialise(post))


@bp.delete("/posts/<int:post_id>")
@declare({200: Post}, errors=(403, 404, 409))
@signed_in
def delete_post(post_id: int):
    """Delete a post (author or facilitator): a placeholder remains."""
    return jsonify(posts.serialise(posts.delete_post(_post_access(post_id), post_id)))


@bp.post("/posts/<int:post_id>/support")
@declare({200: Post}, errors=(403, 404, 409))
@signed_in
def support_post(post_id: int):
    """Support a need or proposal, or withdraw my support (toggle)."""
    post, supported = posts.toggle_support(_post_access(post_id), post_id)
    return jsonify({**posts.serialise(post), "supported": supported})


@bp.get("/posts/<int:post_id>/revisions")
@declare({200: PostRevisionList}, errors=(404,))
@signed_in
def post_revisions(post_id: int):
    """Earlier versions of an edited post."""
    where = _post_access(post_id)
    return jsonify({"items": [
        {"body": r.body, "written_at": r.written_at.isoformat(),
         "replaced_at": r.replaced_at.isoformat()}
        for r in posts.revisions(where, post_id)
    ]})


@bp.get("/territories/<slug>/mentions")
@declare({200: MentionCandidateList}, query=MentionQuery, errors=(404,))
@signed_in
def mention_candidates(slug: str):
    """The territory's people and organisations whose name, or a word of it, starts with
    `q` (without case or accents): the composer completes `@` with them (members only)."""
    where = access(current_user, slug)
    found = mentions.suggestions(where, MentionQuery(**request.args.to_dict()))
    return jsonify({"items": [{"type": m.type, "id": m.id, "name": m.name,
                               "organisation": m.organisation} for m in found]})


@bp.post("/preview")
@declare({200: Preview}, body=PreviewInput, errors=(404,))
@signed_in
def preview():
    """Render a Markdown body as it would be published (sanitised HTML; with `territory`,
    a territory of mine, its mentions linked); nothing is stored."""
    data = parse(PreviewInput, json_body())
    where = access(current_user, data.territory) if data.territory else None
    return jsonify({"html": posts.preview(data, where)})
