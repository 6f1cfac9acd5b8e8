"""Upload routes take large bodies (an SSMSI file may be hundreds of MB), so who may send
one is settled from the headers alone: the Bearer token or the session cookie, then the
route's rule. Registered before the CSRF check, which parses (and spools) the body: an
anonymous or unauthorised upload is refused having read nothing beyond the headers."""
from __future__ import annotations

from typing import Callable

from flask import Request, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .errors import wants_json
from .services import diagnostic
from .services.access import Access, access
from .services.errors import Unauthorized

# Request bodies are small (posts, forms, JSON), except the SSMSI files facilitators import:
# the national base is a few hundred MB, and Werkzeug spools uploads to disk, not memory.
MAX_BODY = 16 * 1024 * 1024
MAX_IMPORT = 1024 * 1024 * 1024

# Endpoint → the service rule its caller must pass before the body is read.
UPLOADS: dict[str, Callable[[Access], None]] = {
    "api.import_diagnostic": diagnostic.require_importer,
    "web.diagnostic_import": diagnostic.require_importer,
}


class ConcertRequest(Request):
    @property
    def max_content_length(self) -> int:
        return MAX_IMPORT if self.endpoint in UPLOADS else MAX_BODY


def authorise_before_body():
    rule = UPLOADS.get(request.endpoint)
    if rule is None:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            raise Unauthorized(_l("Authentification requise (session ou jeton Bearer)."))
        return current_app.login_manager.unauthorized()
    rule(access(current_user, (request.view_args or {}).get("slug")))
    return None
