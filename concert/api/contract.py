"""The draft contract: the assembled document, its sections and frameworks, its versions."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..schemas.contract import (
    ContractDiff, ContractFramework, ContractFrameworkList, ContractQuery, ContractSection,
    ContractSectionList, ContractVersion, ContractVersionList, DiffQuery, FrameworkInput,
    SectionInput, VersionInput,
)
from ..schemas.common import parse
from ..schemas.documents import Document
from ..services import contract
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


@bp.get("/territories/<slug>/contract")
@declare({200: Document}, query=ContractQuery, errors=(404,))
@signed_in
def get_contract(slug: str):
    """The draft contract, assembled as the document model (documents/model.py: title,
    meta, numbered sections of blocks), or frozen version `version`."""
    where = access(current_user, slug)
    version = request.args.get("version")
    return jsonify(contract.assemble(where, None if version in (None, "", "draft") else version))


@bp.get("/territories/<slug>/contract/sections")
@declare({200: ContractSectionList}, errors=(404,))
@signed_in
def list_sections(slug: str):
    """The contract's editable Markdown sections."""
    where = access(current_user, slug)
    return jsonify({"items": [{"key": key, "body": body} for key, body in
                              contract.sections(where).items()]})


@bp.put("/territories/<slug>/contract/sections/<key>")
@declare({200: ContractSection}, body=SectionInput, errors=(403, 404))
@signed_in
def put_section(slug: str, key: str):
    """Write an editable section (facilitators)."""
    where = access(current_user, slug)
    contract.edits(where)
    body = contract.set_section(where, key, parse(SectionInput, json_body()))
    return jsonify({"key": key, "body": body})


@bp.get("/territories/<slug>/contract/frameworks")
@declare({200: ContractFrameworkList}, errors=(404,))
@signed_in
def list_frameworks(slug: str):
    """Integrated frameworks (CLS, STSPD, contrat de ville…)."""
    where = access(current_user, slug)
    return jsonify({"items": [contract.serialise_framework(f)
                              for f in contract.frameworks(where)]})


@bp.post("/territories/<slug>/contract/frameworks")
@declare({201: ContractFramework}, body=FrameworkInput, errors=(403, 404))
@signed_in
def create_framework(slug: str):
    """Add an integrated framework (facilitators)."""
    where = access(current_user, slug)
    return jsonify(contract.serialise_framework(contract.save_framework(where, json_body()))), 201


@bp.patch("/territories/<slug>/contract/frameworks/<int:framework_id>")
@declare({200: ContractFramework}, body=FrameworkInput, errors=(403, 404))
@signed_in
def update_framework(slug: str, framework_id: int):
    """Edit an integrated framework (facilitators)."""
    where = access(current_user, slug)
    framework = contract.save_framework(where, json_body(), framework_id)
    return jsonify(contract.serialise_framework(framework))


@bp.delete("/territories/<slug>/contract/frameworks/<int:framework_id>")
@declare({204: None}, errors=(403, 404))
@signed_in
def delete_framework(slug: str, framework_id: int):
    """Remove an integrated framework (facilitators)."""
    contract.delete_framework(access(current_user, slug), framework_id)
    return "", 204


@bp.get("/territories/<slug>/contract/versions")
@declare({200: ContractVersionList}, errors=(404,))
@signed_in
def list_versions(slug: str):
    """Frozen versions, oldest first."""
    where = access(current_user, slug)
    return jsonify({"items": [contract.serialise_version(v) for v in contract.versions(where)]})


@bp.post("/territories/<slug>/contract/versions")
@declare({201: ContractVersion}, body=VersionInput, errors=(403, 404))
@signed_in
def freeze_version(slug: str):
    """Freeze the current draft as the next version (facilitators); broadcasts
    `contract.version`."""
    where = access(current_user, slug)
    contract.edits(where)
    data = parse(VersionInput, json_body()) if request.data else VersionInput()
    version = contract.freeze(where, data)
    return jsonify(contract.serialise_version(version)), 201


@bp.get("/territories/<slug>/contract/diff")
@declare({200: ContractDiff}, query=DiffQuery, errors=(404,))
@signed_in
def diff(slug: str):
    """Compare version `from` with version `to` (or `draft`): commitments added, removed,
    changed field by field; sections whose text changed."""
    where = access(current_user, slug)
    return jsonify(contract.diff(where, request.args.get("from"), request.args.get("to")))
