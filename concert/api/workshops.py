"""Live workshops: plan, edit or cancel, start, move through the agenda, dot-vote, close,
minutes."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..models import utcnow
from ..services import posts, workshops
from ..services.access import access
from . import bp, json_body, signed_in


def _where(workshop_id: int):
    return workshops.workshop_access(current_user, workshop_id)


def _resource(workshop) -> dict:
    return workshops.serialise(workshop, now=utcnow(), reader=_where(workshop.id))


def _vote(where, vote) -> dict:
    return {**workshops.serialise_vote(vote, where),
            "mine": [{"slot": slot, "post": post}
                     for slot, post in sorted(workshops.my_dots(where, vote).items())]}


@bp.get("/territories/<slug>/workshops")
@signed_in
def list_workshops(slug: str):
    where = access(current_user, slug)
    upcoming, past = workshops.list_workshops(where)
    now = utcnow()
    return jsonify({"items": [workshops.serialise(w, now=now, reader=where)
                              for w in upcoming + past]})


@bp.post("/territories/<slug>/workshops")
@signed_in
def create_workshop(slug: str):
    workshop = workshops.create(access(current_user, slug), json_body())
    return jsonify(_resource(workshop)), 201


@bp.get("/workshops/<int:workshop_id>")
@signed_in
def get_workshop(workshop_id: int):
    return jsonify(_resource(workshops.get(_where(workshop_id), workshop_id)))


@bp.patch("/workshops/<int:workshop_id>")
@signed_in
def update_workshop(workshop_id: int):
    workshop = workshops.update(_where(workshop_id), workshop_id, json_body())
    return jsonify(_resource(workshop))


@bp.post("/workshops/<int:workshop_id>/cancel")
@signed_in
def cancel_workshop(workshop_id: int):
    where = _where(workshop_id)
    reason = json_body().get("reason") if request.data else None
    return jsonify(_resource(workshops.cancel(where, workshop_id, reason)))


@bp.post("/workshops/<int:workshop_id>/start")
@signed_in
def start_workshop(workshop_id: int):
    return jsonify(_resource(workshops.start(_where(workshop_id), workshop_id)))


@bp.post("/workshops/<int:workshop_id>/agenda")
@signed_in
def move_workshop(workshop_id: int):
    to = json_body().get("to")
    return jsonify(_resource(workshops.move(_where(workshop_id), workshop_id, to)))


@bp.post("/workshops/<int:workshop_id>/close")
@signed_in
def close_workshop(workshop_id: int):
    return jsonify(_resource(workshops.close(_where(workshop_id), workshop_id)))


@bp.get("/workshops/<int:workshop_id>/contributions")
@signed_in
def workshop_contributions(workshop_id: int):
    where = _where(workshop_id)
    items = workshops.contributions(where, workshops.get(where, workshop_id))
    return jsonify({"items": [posts.serialise(p) for p in items]})


@bp.post("/workshops/<int:workshop_id>/votes")
@signed_in
def open_vote(workshop_id: int):
    where = _where(workshop_id)
    vote = workshops.open_vote(where, workshop_id, json_body())
    return jsonify(_vote(where, vote)), 201


@bp.get("/workshops/<int:workshop_id>/votes/<int:vote_id>")
@signed_in
def get_vote(workshop_id: int, vote_id: int):
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.get_vote(where, workshop_id, vote_id)))


@bp.post("/workshops/<int:workshop_id>/votes/<int:vote_id>/dots")
@signed_in
def place_dot(workshop_id: int, vote_id: int):
    where, data = _where(workshop_id), json_body()
    vote = workshops.place_dot(where, workshop_id, vote_id, data.get("post"), data.get("slot"))
    return jsonify(_vote(where, vote))


@bp.delete("/workshops/<int:workshop_id>/votes/<int:vote_id>/dots/<int:slot>")
@signed_in
def remove_dot(workshop_id: int, vote_id: int, slot: int):
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.remove_dot(where, workshop_id, vote_id, slot)))


@bp.post("/workshops/<int:workshop_id>/votes/<int:vote_id>/close")
@signed_in
def close_vote(workshop_id: int, vote_id: int):
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.close_vote(where, workshop_id, vote_id)))


@bp.get("/workshops/<int:workshop_id>/minutes")
@signed_in
def workshop_minutes(workshop_id: int):
    """The minutes (document model) once the workshop is closed; 409 before."""
    return jsonify(workshops.minutes(_where(workshop_id), workshop_id))
