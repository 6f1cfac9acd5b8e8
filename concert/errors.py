"""One mapping of errors to answers: JSON under /api/, a page elsewhere. Never a 500 for bad input."""
from __future__ import annotations

import time

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l, ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import UNREACHABLE, db
from .extensions import limiter
from .services.errors import ServiceError, Unavailable

_HTTP_CODES = {
    400: ("bad_request", _l("Requête invalide.")),
    401: ("unauthorized", _l("Connexion requise.")),
    403: ("forbidden", _l("Action non autorisée.")),
    404: ("not_found", _l("Page ou ressource introuvable.")),
    405: ("method_not_allowed", _l("Méthode non autorisée.")),
    409: ("conflict", _l("Conflit avec l'état actuel.")),
    413: ("too_large", _l("Contenu trop volumineux.")),
    415: ("unsupported_media_type", _l("Type de contenu non pris en charge.")),
    429: ("rate_limited", _l("Trop de tentatives : réessayez plus tard.")),
    500: ("server_error", _l("Erreur interne du serveur.")),
}


def wants_json() -> bool:
    """The API, and a script asking for JSON on a page's route (the exports, by Bearer)."""
    return (request.path.startswith("/api/") or request.path == "/healthz"
            or request.accept_mimetypes.best == "application/json")


def error_response(status: int, code: str, message, field: str | None = None,
                   extra: dict | None = None):
    if wants_json():
        error = {"code": code, "message": str(message)}
        if field:
            error["field"] = field
        return jsonify({**(extra or {}), "error": error}), status
    return render_template("error.html", status=status, message=message), status


def unavailable_response(message=None, extra: dict | None = None):
    """503 with `Retry-After`: a client (or a load balancer) tries again shortly."""
    # Answered as to a visitor (language, page header): who is signed in is in the
    # unreachable database.
    g._login_user = current_app.login_manager.anonymous_user()
    body, status = error_response(503, Unavailable.code, message or Unavailable().message,
                                  extra=extra)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(Unavailable.RETRY_AFTER)
    return response


def _rate_limited_message() -> str | None:
    """When the limit that was hit opens again (its `Retry-After`): a per-hour allowance
    does not say "in a minute"."""
    current = limiter.current_limit
    if current is None:
        return None
    minutes = max(1, round((current.reset_at - time.time()) / 60))
    if minutes < 60:
        return ngettext("Trop de tentatives : réessayez dans %(num)d minute.",
                        "Trop de tentatives : réessayez dans %(num)d minutes.", minutes)
    hours = round(minutes / 60)
    return ngettext("Trop de tentatives : réessayez dans environ %(num)d heure.",
                    "Trop de tentatives : réessayez dans environ %(num)d heures.", hours)


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(Unavailable)
    def service_unavailable(exc: Unavailable):
        db.rollback_quietly()
        return unavailable_response(exc.message)

    for unreachable in UNREACHABLE:
        @app.errorhandler(unreachable)
        def database_unreachable(exc: Exception):
            db.rollback_quietly()
            app.logger.warning("database unreachable: %s", str(exc).strip().splitlines()[0])
            return unavailable_response()

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return error_response(
            400, "csrf_failed", _l("Le formulaire a expiré : rechargez la page et recommencez.")
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code, message = _HTTP_CODES.get(exc.code, ("error", exc.description))
        if exc.code == 429:
            message = _rate_limited_message() or message
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=exc)
        code, message = _HTTP_CODES[500]
        return error_response(500, code, message)
