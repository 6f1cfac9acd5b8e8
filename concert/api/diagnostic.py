"""The shared diagnostic: SSMSI import, the whole diagnostic, entries and observations."""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import uploads
from ..services import diagnostic
from ..services.access import access
from ..services.errors import BadRequest
from . import bp, json_body, signed_in


@bp.get("/territories/<slug>/diagnostic")
@signed_in
def get_diagnostic(slug: str):
    return jsonify(diagnostic.summary(access(current_user, slug)))


@bp.post("/territories/<slug>/diagnostic/import")
@signed_in
def import_diagnostic(slug: str):
    where = access(current_user, slug)
    diagnostic.require_importer(where)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(_l("Fichier attendu (champ « file », envoi multipart)."),
                         code="missing_file", field="file")
    if "respond-async" in request.headers.get("Prefer", ""):  # RFC 7240
        job = uploads.import_in_background(where, upload)
        location = url_for("api.get_import_job", slug=slug, job_id=job.id)
        return jsonify(diagnostic.serialise_job(job)), 202, {"Location": location}
    record = diagnostic.import_ssmsi(where, upload.stream, upload.filename)
    return jsonify({"rows": record.rows, "skipped": record.skipped,
                    "import": diagnostic.serialise_import(record)}), 201


@bp.get("/territories/<slug>/diagnostic/imports/<int:job_id>")
@signed_in
def get_import_job(slug: str, job_id: int):
    return jsonify(diagnostic.serialise_job(diagnostic.import_job(access(current_user, slug),
                                                                  job_id)))


@bp.put("/territories/<slug>/diagnostic/entry")
@signed_in
def save_entry(slug: str):
    entry = diagnostic.save_entry(access(current_user, slug), json_body())
    return jsonify(diagnostic.serialise_entry(entry))


@bp.post("/territories/<slug>/diagnostic/observations")
@signed_in
def add_observation(slug: str):
    data = json_body()
    observation = diagnostic.add_observation(access(current_user, slug), data.get("body"),
                                             data.get("entry"))
    return jsonify(diagnostic.serialise_observation(observation)), 201
