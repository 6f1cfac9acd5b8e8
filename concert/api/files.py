"""Attached documents: upload one (then name it in a post's, commitment's or workshop's
`attachments`), download it or its thumbnail."""
from __future__ import annotations

from flask import jsonify, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..schemas.files import Attachment, FileUpload
from ..services import files
from ..services.access import access
from ..services.errors import BadRequest
from . import bp, signed_in
from .spec import declare


@bp.post("/territories/<slug>/files")
@declare({201: Attachment}, body=FileUpload, multipart=True, errors=(403, 404, 415))
@signed_in
def upload_file(slug: str):
    """Upload a document (multipart field `file`): PDF, ODF or OOXML office document, PNG,
    JPEG, WebP or GIF image, CSV or text; CONCERT_MAX_FILE_SIZE at most (413). Only I may
    see it until I attach it; unattached, it is deleted after a day."""
    where = access(current_user, slug)
    files.may_upload(where)
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(_l("Fichier attendu (champ « file », envoi multipart)."),
                         code="missing_file", field="file")
    return jsonify(files.serialise(files.upload(where, upload.stream, upload.filename))), 201


@bp.get("/files/<file_id>")
@declare({200: None}, errors=(404,), download=True)
@signed_in
def download_file(file_id: str):
    """Download a document: members who see what it is attached to (404 otherwise)."""
    file = files.downloadable(current_user, file_id)
    return _sent(files.open_file(file), file.content_type, file.name)


@bp.get("/files/<file_id>/thumbnail")
@declare({200: None}, errors=(404,), download=True)
@signed_in
def file_thumbnail(file_id: str):
    """An image's thumbnail (JPEG, or PNG if transparent): as the document itself."""
    file = files.downloadable(current_user, file_id)
    stream = files.open_thumbnail(file)
    png = stream.read(8).startswith(b"\x89PNG")
    stream.seek(0)
    stem = file.name.rsplit(".", 1)[0]
    return _sent(stream, "image/png" if png else "image/jpeg",
                 f"{stem}-miniature.{'png' if png else 'jpg'}")


def _sent(stream, content_type: str, name: str):
    """Always a download (never shown inline, never sniffed), kept by no shared cache."""
    response = send_file(stream, mimetype=content_type, as_attachment=True,
                         download_name=name, conditional=False, etag=False, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private"
    return response
