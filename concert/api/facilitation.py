"""Facilitation and commitments: promote, merge, decline, reopen; commitment lifecycle."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..schemas.facilitation import (
    AuditPage, AuditQuery, Commitment, CommitmentInput, CommitmentList, CommitmentRevisionList,
    CommitmentsQuery, DeclineInput, MeasurementInput, MergeInput, PromotionInput,
)
from ..schemas.common import parse
from ..schemas.workspace import Post
from ..services import audit, commitments, facilitation, posts
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


@bp.post("/posts/<int:post_id>/decline")
@declare({200: Post}, body=DeclineInput, errors=(403, 404, 409))
@signed_in
def decline_post(post_id: int):
    """Decline a need or proposal, with the reason shown to all (facilitators)."""
    where = posts.post_access(current_user, post_id)
    facilitation.decides(where, post_id)
    post = facilitation.decline(where, post_id, parse(DeclineInput, json_body()))
    return jsonify(posts.serialise(post))


@bp.post("/posts/<int:post_id>/merge")
@declare({200: Post}, body=MergeInput, errors=(403, 404, 409))
@signed_in
def merge_post(post_id: int):
    """Merge a duplicate into another need or proposal; supports are combined, each person
    counted once (facilitators)."""
    where = posts.post_access(current_user, post_id)
    facilitation.decides(where, post_id)
    post = facilitation.merge(where, post_id, parse(MergeInput, json_body()))
    return jsonify(posts.serialise(post))


@bp.post("/posts/<int:post_id>/reopen")
@declare({200: Post}, errors=(403, 404, 409, 422))
@signed_in
def reopen_post(post_id: int):
    """Reopen a declined contribution (facilitators)."""
    post = facilitation.reopen(posts.post_access(current_user, post_id), post_id)
    return jsonify(posts.serialise(post))


@bp.get("/territories/<slug>/commitments")
@declare({200: CommitmentList}, query=CommitmentsQuery, errors=(404,))
@signed_in
def list_commitments(slug: str):
    """Commitments of the territory."""
    where = access(current_user, slug)
    args = request.args
    items = commitments.list_commitments(where, CommitmentsQuery(**args.to_dict()))
    return jsonify({"items": [commitments.serialise(c, where) for c in items]})


@bp.post("/territories/<slug>/commitments")
@declare({201: Commitment}, body=PromotionInput, errors=(403, 404, 409))
@signed_in
def create_commitment(slug: str):
    """Promote needs/proposals (`source_posts`) into a new commitment (facilitators); an
    already promoted post needs `repromote: true`."""
    where = access(current_user, slug)
    commitment = facilitation.promote(where, parse(PromotionInput, json_body()))
    return jsonify(commitments.serialise(commitment, where)), 201


@bp.get("/commitments/<int:commitment_id>")
@declare({200: Commitment}, errors=(404,))
@signed_in
def get_commitment(commitment_id: int):
    """One commitment."""
    where = commitments.commitment_access(current_user, commitment_id)
    return jsonify(commitments.serialise(commitments.get(where, commitment_id),
                                         where))


@bp.patch("/commitments/<int:commitment_id>")
@declare({200: Commitment}, body=CommitmentInput, errors=(403, 404, 409))
@signed_in
def update_commitment(commitment_id: int):
    """Edit a commitment or change its status (facilitators); each change is a revision."""
    where = commitments.commitment_access(current_user, commitment_id)
    commitment = commitments.update(where, commitment_id,
                                    parse(CommitmentInput, json_body()))
    return jsonify(commitments.serialise(commitment, where))


@bp.get("/commitments/<int:commitment_id>/revisions")
@declare({200: CommitmentRevisionList}, errors=(404,))
@signed_in
def commitment_revisions(commitment_id: int):
    """Revision history: who changed which fields, before and after."""
    where = commitments.commitment_access(current_user, commitment_id)
    return jsonify({"items": [commitments.serialise_revision(r)
                              for r in commitments.revisions(where, commitment_id)]})


@bp.post("/commitments/<int:commitment_id>/indicators/<int:indicator_id>/measurements")
@declare({201: Commitment}, body=MeasurementInput, errors=(403, 404))
@signed_in
def add_measurement(commitment_id: int, indicator_id: int):
    """Record a measurement of an indicator (facilitators)."""
    where = commitments.commitment_access(current_user, commitment_id)
    commitments.add_measurement(where, commitment_id, indicator_id,
                                parse(MeasurementInput, json_body()))
    return jsonify(commitments.serialise(commitments.get(where, commitment_id),
                                         where)), 201


@bp.get("/territories/<slug>/audit")
@declare({200: AuditPage}, query=AuditQuery, errors=(403, 404))
@signed_in
def audit_log(slug: str):
    """Audit log of the territory, newest first (facilitators)."""
    where = access(current_user, slug)
    args = request.args
    items = audit.entries(where, action=args.get("action"), actor=args.get("actor"),
                          object_type=args.get("object_type"), before_id=args.get("before_id"),
                          limit=args.get("limit", 100))
    return jsonify({"items": [audit.serialise(e, where) for e in items],
                    "next_before_id": items[-1].id if items else None})
