"""The JSON API, /api/v1: parse the request, call a service, serialise the answer."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import csrf
from ..services import validation
from ..services.errors import BadRequest, Unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

_SAFE = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def _csrf_for_cookie_sessions():
    """A Bearer token is not sent by the browser on its own; the session cookie is, so
    browser calls that change something carry the CSRF token (X-CSRFToken header)."""
    if request.method not in _SAFE and current_user.is_authenticated and g.get(
        "auth_method"
    ) == "session":
        csrf.protect()


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise Unauthorized(_l("Authentification requise (session ou jeton Bearer)."))
        return view(*args, **kwargs)

    return wrapper


def json_body() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no body we would take
        data = None
    if not isinstance(data, dict):
        raise BadRequest(_l("Corps JSON (objet) attendu."), code="invalid_json")
    return validation.unicode(data)


from . import (  # noqa: E402,F401  (routes)
    account, act, contract, diagnostic, evaluation, facilitation, files, me, notifications,
    openapi, search, territories, tokens, workshops, workspace,
)
