"""Channels and posts of a territory's workspace."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..services import channels, posts
from ..services.access import access
from . import bp, json_body, signed_in


def _post_access(post_id: int):
    return posts.post_access(current_user, post_id)


@bp.get("/territories/<slug>/channels")
@signed_in
def list_channels(slug: str):
    where = access(current_user, slug)
    return jsonify({"items": [channels.serialise(c) for c in channels.list_channels(where)]})


@bp.post("/territories/<slug>/channels")
@signed_in
def create_channel(slug: str):
    data = json_body()
    channel = channels.create_channel(access(current_user, slug), data.get("name"),
                                      data.get("description", ""), data.get("restricted_to"))
    return jsonify(channels.serialise(channel)), 201


@bp.patch("/territories/<slug>/channels/<int:channel_id>")
@signed_in
def update_channel(slug: str, channel_id: int):
    channel = channels.update_channel(access(current_user, slug, admin=True), channel_id,
                                      json_body())
    return jsonify(channels.serialise(channel))


@bp.get("/territories/<slug>/posts")
@signed_in
def list_posts(slug: str):
    where = access(current_user, slug)
    args = request.args
    items = posts.list_posts(
        where, channel=args.get("channel"), kind=args.get("kind"), status=args.get("status"),
        thread=args.get("thread"), top_level=args.get("top_level") in ("1", "true"),
        after_seq=args.get("after_seq"), before_seq=args.get("before_seq"),
        limit=args.get("limit", 50), order=args.get("order", "seq"),
    )
    supported = posts.supported_ids(where, [p.id for p in items])
    return jsonify({
        "items": [{**posts.serialise(p), "supported": p.id in supported} for p in items],
        "first_seq": items[0].seq if items else None,
        "last_seq": items[-1].seq if items else None,
    })


@bp.post("/territories/<slug>/posts")
@signed_in
def create_post(slug: str):
    data = json_body()
    post, created = posts.create_post(
        access(current_user, slug), data.get("channel"), data.get("kind"), data.get("body"),
        data.get("client_id"), data.get("reply_to"), data.get("workshop"),
        data.get("agenda_item"))
    return jsonify(posts.serialise(post)), 201 if created else 200


@bp.get("/posts/<int:post_id>")
@signed_in
def get_post(post_id: int):
    where = _post_access(post_id)
    post = posts.get_post(where, post_id)
    return jsonify({**posts.serialise(post),
                    "supported": post.id in posts.supported_ids(where, [post.id])})


@bp.patch("/posts/<int:post_id>")
@signed_in
def edit_post(post_id: int):
    post = posts.edit_post(_post_access(post_id), post_id, json_body().get("body"))
    return jsonify(posts.serialise(post))


@bp.delete("/posts/<int:post_id>")
@signed_in
def delete_post(post_id: int):
    return jsonify(posts.serialise(posts.delete_post(_post_access(post_id), post_id)))


@bp.post("/posts/<int:post_id>/support")
@signed_in
def support_post(post_id: int):
    post, supported = posts.toggle_support(_post_access(post_id), post_id)
    return jsonify({**posts.serialise(post), "supported": supported})


@bp.get("/posts/<int:post_id>/revisions")
@signed_in
def post_revisions(post_id: int):
    where = _post_access(post_id)
    return jsonify({"items": [
        {"body": r.body, "written_at": r.written_at.isoformat(),
         "replaced_at": r.replaced_at.isoformat()}
        for r in posts.revisions(where, post_id)
    ]})


@bp.post("/preview")
@signed_in
def preview():
    """The sanitised HTML a Markdown body would be published as (the composer's preview)."""
    return jsonify({"html": posts.preview(json_body().get("body"))})
