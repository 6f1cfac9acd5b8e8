"""Live workshops: plan, edit or cancel, start, move through the agenda, dot-vote, close,
minutes."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..models import utcnow
from ..schemas.common import parse
from ..schemas.documents import Document
from ..schemas.workshops import (
    CancelInput, DotInput, MoveInput, Vote, VoteInput, Workshop, WorkshopInput, WorkshopList,
    WorkshopPatch,
)
from ..schemas.workspace import PostList
from ..services import posts, workshops
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


def _where(workshop_id: int):
    return workshops.workshop_access(current_user, workshop_id)


def _resource(workshop) -> dict:
    return workshops.serialise(workshop, now=utcnow(), reader=_where(workshop.id))


def _vote(where, vote) -> dict:
    return {**workshops.serialise_vote(vote, where),
            "mine": [{"slot": slot, "post": post}
                     for slot, post in sorted(workshops.my_dots(where, vote).items())]}


@bp.get("/territories/<slug>/workshops")
@declare({200: WorkshopList}, errors=(404,))
@signed_in
def list_workshops(slug: str):
    """Workshops of a territory (live and upcoming, then past)."""
    where = access(current_user, slug)
    upcoming, past = workshops.list_workshops(where)
    now = utcnow()
    return jsonify({"items": [workshops.serialise(w, now=now, reader=where)
                              for w in upcoming + past]})


@bp.post("/territories/<slug>/workshops")
@declare({201: Workshop}, body=WorkshopInput, errors=(403, 404))
@signed_in
def create_workshop(slug: str):
    """Plan a workshop (facilitators)."""
    where = access(current_user, slug)
    workshops.facilitates(where)
    workshop = workshops.create(where, parse(WorkshopInput, json_body()))
    return jsonify(_resource(workshop)), 201


@bp.get("/workshops/<int:workshop_id>")
@declare({200: Workshop}, errors=(404,))
@signed_in
def get_workshop(workshop_id: int):
    """One workshop, with the server's clock (`server_now`) for its timer."""
    return jsonify(_resource(workshops.get(_where(workshop_id), workshop_id)))


@bp.patch("/workshops/<int:workshop_id>")
@declare({200: Workshop}, body=WorkshopPatch, errors=(403, 404, 409))
@signed_in
def update_workshop(workshop_id: int):
    """Edit a planned workshop (facilitators): the fields given change, a new `agenda`
    replaces the old one; 409 if live, closed or cancelled."""
    where = _where(workshop_id)
    workshops.facilitates(where)
    workshop = workshops.update(where, workshop_id, parse(WorkshopPatch, json_body()))
    return jsonify(_resource(workshop))


@bp.post("/workshops/<int:workshop_id>/cancel")
@declare({200: Workshop}, body=CancelInput, errors=(403, 404, 409))
@signed_in
def cancel_workshop(workshop_id: int):
    """Cancel a planned workshop (facilitators), with an optional reason shown on its page;
    409 if live, closed or already cancelled."""
    where = _where(workshop_id)
    workshops.facilitates(where)
    data = parse(CancelInput, json_body()) if request.data else None
    return jsonify(_resource(workshops.cancel(where, workshop_id, data)))


@bp.post("/workshops/<int:workshop_id>/start")
@declare({200: Workshop}, errors=(403, 404, 409))
@signed_in
def start_workshop(workshop_id: int):
    """Start a planned workshop (facilitators); 409 if live, closed or cancelled."""
    return jsonify(_resource(workshops.start(_where(workshop_id), workshop_id)))


@bp.post("/workshops/<int:workshop_id>/agenda")
@declare({200: Workshop}, body=MoveInput, errors=(403, 404, 409))
@signed_in
def move_workshop(workshop_id: int):
    """Move to another agenda item (facilitators): its timer restarts."""
    where = _where(workshop_id)
    workshops.facilitates(where)
    return jsonify(_resource(workshops.move(where, workshop_id, parse(MoveInput, json_body()))))


@bp.post("/workshops/<int:workshop_id>/close")
@declare({200: Workshop}, errors=(403, 404, 409))
@signed_in
def close_workshop(workshop_id: int):
    """Close a live workshop (facilitators); its open vote closes too."""
    return jsonify(_resource(workshops.close(_where(workshop_id), workshop_id)))


@bp.get("/workshops/<int:workshop_id>/contributions")
@declare({200: PostList}, errors=(404,))
@signed_in
def workshop_contributions(workshop_id: int):
    """Posts made from the workshop that I may see."""
    where = _where(workshop_id)
    items = workshops.contributions(where, workshops.get(where, workshop_id))
    return jsonify({"items": [posts.serialise(p) for p in items]})


@bp.post("/workshops/<int:workshop_id>/votes")
@declare({201: Vote}, body=VoteInput, errors=(403, 404, 409))
@signed_in
def open_vote(workshop_id: int):
    """Open a dot-vote on needs/proposals of channels open to all (facilitators)."""
    where = _where(workshop_id)
    workshops.facilitates(where)
    vote = workshops.open_vote(where, workshop_id, parse(VoteInput, json_body()))
    return jsonify(_vote(where, vote)), 201


@bp.get("/workshops/<int:workshop_id>/votes/<int:vote_id>")
@declare({200: Vote}, errors=(404,))
@signed_in
def get_vote(workshop_id: int, vote_id: int):
    """A vote, its results and my dots."""
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.get_vote(where, workshop_id, vote_id)))


@bp.post("/workshops/<int:workshop_id>/votes/<int:vote_id>/dots")
@declare({200: Vote}, body=DotInput, errors=(403, 404, 409))
@signed_in
def place_dot(workshop_id: int, vote_id: int):
    """Place one of my dots (actors, facilitators): with `slot`, place or move that dot
    (idempotent); without, the first free one (409 if none)."""
    where = _where(workshop_id)
    workshops.may_vote(where)
    vote = workshops.place_dot(where, workshop_id, vote_id, parse(DotInput, json_body()))
    return jsonify(_vote(where, vote))


@bp.delete("/workshops/<int:workshop_id>/votes/<int:vote_id>/dots/<int:slot>")
@declare({200: Vote}, errors=(403, 404, 409))
@signed_in
def remove_dot(workshop_id: int, vote_id: int, slot: int):
    """Take back one of my dots."""
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.remove_dot(where, workshop_id, vote_id, slot)))


@bp.post("/workshops/<int:workshop_id>/votes/<int:vote_id>/close")
@declare({200: Vote}, errors=(403, 404, 409))
@signed_in
def close_vote(workshop_id: int, vote_id: int):
    """Close a vote (facilitators)."""
    where = _where(workshop_id)
    return jsonify(_vote(where, workshops.close_vote(where, workshop_id, vote_id)))


@bp.get("/workshops/<int:workshop_id>/minutes")
@declare({200: Document}, errors=(404, 409))
@signed_in
def workshop_minutes(workshop_id: int):
    """Minutes of a closed workshop, as an assembled document (409 before it closes); what
    the caller may see only."""
    return jsonify(workshops.minutes(_where(workshop_id), workshop_id))
