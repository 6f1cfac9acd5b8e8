"""Facilitation and commitments: promote, merge, decline, reopen; commitment lifecycle."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..services import audit, commitments, facilitation, posts
from ..services.access import access
from ..services.errors import Invalid
from . import bp, json_body, signed_in


def _only(*fields: str) -> dict:
    """The JSON body, refused if it carries a field this route does not take."""
    data = json_body()
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise Invalid(_l("Champ inconnu : %(field)s.", field=unknown[0]), field=unknown[0])
    return data


@bp.post("/posts/<int:post_id>/decline")
@signed_in
def decline_post(post_id: int):
    post = facilitation.decline(posts.post_access(current_user, post_id), post_id,
                                _only("reason").get("reason"))
    return jsonify(posts.serialise(post))


@bp.post("/posts/<int:post_id>/merge")
@signed_in
def merge_post(post_id: int):
    post = facilitation.merge(posts.post_access(current_user, post_id), post_id,
                              _only("into").get("into"))
    return jsonify(posts.serialise(post))


@bp.post("/posts/<int:post_id>/reopen")
@signed_in
def reopen_post(post_id: int):
    post = facilitation.reopen(posts.post_access(current_user, post_id), post_id)
    return jsonify(posts.serialise(post))


@bp.get("/territories/<slug>/commitments")
@signed_in
def list_commitments(slug: str):
    where = access(current_user, slug)
    args = request.args
    items = commitments.list_commitments(where, status=args.get("status"),
                                         party=args.get("party"), pilot=args.get("pilot"),
                                         channel=args.get("channel"))
    return jsonify({"items": [commitments.serialise(c, where) for c in items]})


@bp.post("/territories/<slug>/commitments")
@signed_in
def create_commitment(slug: str):
    where = access(current_user, slug)
    commitment = facilitation.promote(where, json_body())
    return jsonify(commitments.serialise(commitment, where)), 201


@bp.get("/commitments/<int:commitment_id>")
@signed_in
def get_commitment(commitment_id: int):
    where = commitments.commitment_access(current_user, commitment_id)
    return jsonify(commitments.serialise(commitments.get(where, commitment_id),
                                         where))


@bp.patch("/commitments/<int:commitment_id>")
@signed_in
def update_commitment(commitment_id: int):
    where = commitments.commitment_access(current_user, commitment_id)
    commitment = commitments.update(where, commitment_id, json_body())
    return jsonify(commitments.serialise(commitment, where))


@bp.get("/commitments/<int:commitment_id>/revisions")
@signed_in
def commitment_revisions(commitment_id: int):
    where = commitments.commitment_access(current_user, commitment_id)
    return jsonify({"items": [commitments.serialise_revision(r)
                              for r in commitments.revisions(where, commitment_id)]})


@bp.post("/commitments/<int:commitment_id>/indicators/<int:indicator_id>/measurements")
@signed_in
def add_measurement(commitment_id: int, indicator_id: int):
    where = commitments.commitment_access(current_user, commitment_id)
    commitments.add_measurement(where, commitment_id, indicator_id,
                                _only("date", "value", "comment"))
    return jsonify(commitments.serialise(commitments.get(where, commitment_id),
                                         where)), 201


@bp.get("/territories/<slug>/audit")
@signed_in
def audit_log(slug: str):
    where = access(current_user, slug)
    args = request.args
    items = audit.entries(where, action=args.get("action"), actor=args.get("actor"),
                          object_type=args.get("object_type"), before_id=args.get("before_id"),
                          limit=args.get("limit", 100))
    return jsonify({"items": [audit.serialise(e, where) for e in items],
                    "next_before_id": items[-1].id if items else None})
