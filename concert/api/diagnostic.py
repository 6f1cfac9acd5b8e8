"""The shared diagnostic: SSMSI import, the whole diagnostic, entries and observations."""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import uploads
from ..schemas.common import parse
from ..schemas.diagnostic import (
    Diagnostic, DiagnosticEntry, DiagnosticObservation, EntryInput, Imported, ImportJob,
    ObservationInput, UploadInput,
)
from ..services import diagnostic
from ..services.access import access
from ..services.errors import BadRequest
from . import bp, json_body, signed_in
from .spec import declare


@bp.get("/territories/<slug>/diagnostic")
@declare({200: Diagnostic}, errors=(403, 404))
@signed_in
def get_diagnostic(slug: str):
    """The shared diagnostic: last import, indicators (communes × years), organisations'
    entries, observations, needs of the channels I see."""
    return jsonify(diagnostic.summary(access(current_user, slug)))


@bp.post("/territories/<slug>/diagnostic/import")
@declare({201: Imported, 202: ImportJob}, body=UploadInput, multipart=True, errors=(403, 404))
@signed_in
def import_diagnostic(slug: str):
    """Import an SSMSI delinquency CSV (facilitators): the communal base, or the
    departmental one (kept for the territory's départements and France, to compare with);
    `kind` says which, otherwise the file's columns tell. Replaces the territory's figures of
    that base.

    With `Prefer: respond-async`, answers 202 at once with the job to follow (Location)."""
    where = access(current_user, slug)
    diagnostic.require_importer(where)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(_l("Fichier attendu (champ « file », envoi multipart)."),
                         code="missing_file", field="file")
    kind = request.form.get("kind") or None
    if "respond-async" in request.headers.get("Prefer", ""):  # RFC 7240
        job = uploads.import_in_background(where, upload, kind=kind)
        location = url_for("api.get_import_job", slug=slug, job_id=job.id)
        return jsonify(diagnostic.serialise_job(job)), 202, {"Location": location}
    record = diagnostic.import_ssmsi(where, upload.stream, upload.filename, kind=kind)
    return jsonify({"rows": record.rows, "skipped": record.skipped,
                    "import": diagnostic.serialise_import(record)}), 201


@bp.get("/territories/<slug>/diagnostic/imports/<int:job_id>")
@declare({200: ImportJob}, errors=(403, 404))
@signed_in
def get_import_job(slug: str, job_id: int):
    """An import's progress (lines read, rows kept) and, once done, its result."""
    return jsonify(diagnostic.serialise_job(diagnostic.import_job(access(current_user, slug),
                                                                  job_id)))


@bp.put("/territories/<slug>/diagnostic/entry")
@declare({200: DiagnosticEntry}, body=EntryInput, errors=(403, 404))
@signed_in
def save_entry(slug: str):
    """Describe my organisation's means and methods (facilitators, actors)."""
    where = access(current_user, slug)
    diagnostic.require_editor(where)
    entry = diagnostic.save_entry(where, parse(EntryInput, json_body()))
    return jsonify(diagnostic.serialise_entry(entry))


@bp.post("/territories/<slug>/diagnostic/observations")
@declare({201: DiagnosticObservation}, body=ObservationInput, errors=(403, 404))
@signed_in
def add_observation(slug: str):
    """Add a facilitator's observation (Markdown), on the diagnostic or an entry."""
    where = access(current_user, slug)
    diagnostic.require_observer(where)
    observation = diagnostic.add_observation(where, parse(ObservationInput, json_body()))
    return jsonify(diagnostic.serialise_observation(observation)), 201
