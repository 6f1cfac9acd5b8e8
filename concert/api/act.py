"""The contract's act form: signatories, the act's settings and visas, the axes."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..schemas.act import (
    Act, ActInput, AxesInput, AxisList, Signatory, SignatoryInput, SignatoryList,
)
from ..schemas.common import parse
from ..services import act
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


def _axes(where) -> dict:
    counts = act.axis_counts(where)
    return {"items": [{**axis, "commitments": counts.get(axis["key"], 0)}
                      for axis in act.axes(where)]}


@bp.get("/territories/<slug>/contract/signatories")
@declare({200: SignatoryList}, errors=(404,))
@signed_in
def list_signatories(slug: str):
    """The parties to the act, in the act's order."""
    where = access(current_user, slug)
    return jsonify({"items": [act.serialise_signatory(s) for s in act.signatories(where)]})


@bp.post("/territories/<slug>/contract/signatories")
@declare({201: Signatory}, body=SignatoryInput, errors=(403, 404))
@signed_in
def create_signatory(slug: str):
    """Add a party (facilitators): role, organisation, person, quality, délibération."""
    where = access(current_user, slug)
    where.require("facilitator")
    row = act.save_signatory(where, parse(SignatoryInput, json_body()))
    return jsonify(act.serialise_signatory(row)), 201


@bp.patch("/territories/<slug>/contract/signatories/<int:signatory_id>")
@declare({200: Signatory}, body=SignatoryInput, errors=(403, 404))
@signed_in
def update_signatory(slug: str, signatory_id: int):
    """Edit a party (facilitators)."""
    where = access(current_user, slug)
    where.require("facilitator")
    row = act.save_signatory(where, parse(SignatoryInput, json_body()), signatory_id)
    return jsonify(act.serialise_signatory(row))


@bp.delete("/territories/<slug>/contract/signatories/<int:signatory_id>")
@declare({204: None}, errors=(403, 404))
@signed_in
def delete_signatory(slug: str, signatory_id: int):
    """Remove a party (facilitators)."""
    act.delete_signatory(access(current_user, slug), signatory_id)
    return "", 204


@bp.get("/territories/<slug>/contract/act")
@declare({200: Act}, errors=(404,))
@signed_in
def get_act(slug: str):
    """The act's visas and final provisions' settings, defaults filled in."""
    return jsonify(act.serialise_settings(access(current_user, slug)))


@bp.patch("/territories/<slug>/contract/act")
@declare({200: Act}, body=ActInput, errors=(403, 404))
@signed_in
def update_act(slug: str):
    """Change the visas, place and date of signature, number of originals, date d'effet,
    end, notice and court (facilitators)."""
    where = access(current_user, slug)
    where.require("facilitator")
    act.save_settings(where, parse(ActInput, json_body()))
    return jsonify(act.serialise_settings(where))


@bp.get("/territories/<slug>/contract/axes")
@declare({200: AxisList}, errors=(404,))
@signed_in
def list_axes(slug: str):
    """The axes the contract groups commitments by, with how many each carries."""
    return jsonify(_axes(access(current_user, slug)))


@bp.put("/territories/<slug>/contract/axes")
@declare({200: AxisList}, body=AxesInput, errors=(403, 404, 409))
@signed_in
def put_axes(slug: str):
    """Replace the list of axes (facilitators); an axis carrying commitments stays (409)."""
    where = access(current_user, slug)
    where.require("facilitator")
    act.save_axes(where, parse(AxesInput, json_body()))
    return jsonify(_axes(where))
