"""Upload routes take large bodies (an SSMSI file may be hundreds of MB), so who may send
one is settled from the headers alone: the Bearer token or the session cookie, then the
route's rule. Registered before the CSRF check, which parses (and spools) the body: an
anonymous or unauthorised upload is refused having read nothing beyond the headers. Once
received, an SSMSI file is imported in the background, its progress kept with the job."""
from __future__ import annotations

import os
from typing import Callable

from flask import Request, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .errors import wants_json
from .extensions import socketio
from .models.diagnostic import DiagnosticImportJob
from .schemas.files import MAX_ATTACHMENTS
from .services import diagnostic, files, posts, workshops
from .services.access import Access, access
from .services.errors import Unauthorized

# Request bodies are small (posts, forms, JSON), except the SSMSI files facilitators import:
# the national base is a few hundred MB, and Werkzeug spools uploads to disk, not memory.
MAX_BODY = 16 * 1024 * 1024
MAX_IMPORT = 1024 * 1024 * 1024

# Room for the other fields of a multipart form beside its files.
_FORM_FIELDS = 1024 * 1024


def _one_file() -> int:
    return files.max_size() + _FORM_FIELDS


def _form_of_files() -> int:
    """A page's form with its attachments (the composer without JavaScript)."""
    return files.max_size() * MAX_ATTACHMENTS + MAX_BODY


# Endpoint → the service rule its caller must pass before the body is read, and the size
# of body it may send (each file is limited again while it is read: services/files.py).
UPLOADS: dict[str, tuple[Callable[[Access], None], Callable[[], int]]] = {
    "api.import_diagnostic": (diagnostic.require_importer, lambda: MAX_IMPORT),
    "web.diagnostic_import": (diagnostic.require_importer, lambda: MAX_IMPORT),
    "api.upload_file": (files.may_upload, _one_file),
    "web.create_post": (posts.may_post, _form_of_files),
    "web.new_commitment": (lambda where: where.require("facilitator"), _form_of_files),
    "web.update_commitment": (lambda where: where.require("facilitator"), _form_of_files),
    "web.workshops_page": (lambda where: _posting(workshops.facilitates, where), _form_of_files),
    "web.workshop_edit": (workshops.facilitates, _form_of_files),
}


def _posting(rule: Callable[[Access], None], where: Access) -> None:
    """A page every member reads whose form only some may send."""
    if request.method == "POST":
        rule(where)


class ConcertRequest(Request):
    @property
    def max_content_length(self) -> int:
        upload = UPLOADS.get(self.endpoint)
        return upload[1]() if upload else MAX_BODY


def authorise_before_body():
    upload = UPLOADS.get(request.endpoint)
    if upload is None:
        return None
    rule = upload[0]
    if not current_user.is_authenticated:
        if wants_json():
            raise Unauthorized(_l("Authentification requise (session ou jeton Bearer)."))
        return current_app.login_manager.unauthorized()
    rule(access(current_user, (request.view_args or {}).get("slug")))
    return None


def import_in_background(where: Access, upload, wait: float = 0,
                         kind: str | None = None) -> DiagnosticImportJob:
    """Starts the SSMSI import of an upload as a background task and waits up to `wait`
    seconds for it (a small file's answer is then immediate). The task reads the upload's
    spooled file through a duplicated descriptor, which outlives the request's own."""
    spooled = upload.stream.fileno()  # on disk from here, whatever its size
    job = diagnostic.start_import_job(where, upload.filename, os.fstat(spooled).st_size)
    stream = os.fdopen(os.dup(spooled), "rb")
    stream.seek(0)
    task = socketio.start_background_task(_run, current_app._get_current_object(), job.id,
                                          stream, kind)
    task.join(wait)
    return diagnostic.import_job(where, job.id)


def _run(app, job_id: int, stream, kind: str | None) -> None:
    with app.app_context(), stream:
        diagnostic.run_import_job(job_id, stream, kind)
