"""The draft contract: the assembled document, its sections and frameworks, its versions."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..services import contract
from ..services.access import access
from . import bp, json_body, signed_in


@bp.get("/territories/<slug>/contract")
@signed_in
def get_contract(slug: str):
    """The document model (documents/model.py): the draft, or `?version=N`."""
    where = access(current_user, slug)
    version = request.args.get("version")
    return jsonify(contract.assemble(where, None if version in (None, "", "draft") else version))


@bp.get("/territories/<slug>/contract/sections")
@signed_in
def list_sections(slug: str):
    where = access(current_user, slug)
    return jsonify({"items": [{"key": key, "body": body} for key, body in
                              contract.sections(where).items()]})


@bp.put("/territories/<slug>/contract/sections/<key>")
@signed_in
def put_section(slug: str, key: str):
    where = access(current_user, slug)
    body = contract.set_section(where, key, json_body().get("body"))
    return jsonify({"key": key, "body": body})


@bp.get("/territories/<slug>/contract/frameworks")
@signed_in
def list_frameworks(slug: str):
    where = access(current_user, slug)
    return jsonify({"items": [contract.serialise_framework(f)
                              for f in contract.frameworks(where)]})


@bp.post("/territories/<slug>/contract/frameworks")
@signed_in
def create_framework(slug: str):
    where = access(current_user, slug)
    return jsonify(contract.serialise_framework(contract.save_framework(where, json_body()))), 201


@bp.patch("/territories/<slug>/contract/frameworks/<int:framework_id>")
@signed_in
def update_framework(slug: str, framework_id: int):
    where = access(current_user, slug)
    framework = contract.save_framework(where, json_body(), framework_id)
    return jsonify(contract.serialise_framework(framework))


@bp.delete("/territories/<slug>/contract/frameworks/<int:framework_id>")
@signed_in
def delete_framework(slug: str, framework_id: int):
    contract.delete_framework(access(current_user, slug), framework_id)
    return "", 204


@bp.get("/territories/<slug>/contract/versions")
@signed_in
def list_versions(slug: str):
    where = access(current_user, slug)
    return jsonify({"items": [contract.serialise_version(v) for v in contract.versions(where)]})


@bp.post("/territories/<slug>/contract/versions")
@signed_in
def freeze_version(slug: str):
    where = access(current_user, slug)
    version = contract.freeze(where, json_body().get("note", "") if request.data else "")
    return jsonify(contract.serialise_version(version)), 201


@bp.get("/territories/<slug>/contract/diff")
@signed_in
def diff(slug: str):
    where = access(current_user, slug)
    return jsonify(contract.diff(where, request.args.get("from"), request.args.get("to")))
