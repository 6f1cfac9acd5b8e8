"""concert: the concertation platform for a contrat de sécurité intégrée."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config
from .db import db
from .extensions import babel, csrf, limiter, login_manager, socketio

_HERE = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    """Installed, templates/ and static/ ship inside the package; in a checkout they sit
    at the top of the repository."""
    packaged = _HERE / name
    return str(packaged if packaged.is_dir() else _HERE.parent / name)


def create_app(test_config: dict | None = None) -> Flask:
    config = Config().update(test_config)
    app = Flask(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
    )
    from .uploads import ConcertRequest, authorise_before_body

    app.request_class = ConcertRequest
    app.config.from_object(config)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from . import models  # noqa: F401  (registers the tables)
    from .auth import init_login

    db.init_app(app)
    # Before the CSRF check, which reads the body: uploads are authorised from the headers.
    app.before_request(authorise_before_body)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_login(login_manager)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(_HERE / "translations"),
    )
    from .realtime import packets
    from .realtime.managers import client_manager

    socketio.init_app(
        app,
        async_mode="gevent",
        json=packets,
        # Several processes: Redis pub/sub, backed by the event log (realtime/delivery.py);
        # closing a room disconnects its sockets on every process (realtime/managers.py).
        client_manager=client_manager(app.config["MESSAGE_QUEUE"], app),
        manage_session=False,  # the Flask session cookie stays the only session
    )
    from .realtime import broadcast, handlers  # noqa: F401  (registers the Socket.IO handlers)
    from .services import events

    events.init_app(app, broadcast)  # what services announce goes out through realtime/

    from .api import bp as api_bp
    from .web import bp as web_bp
    from .api.spec import init_response_checks
    from .errors import init_error_handlers

    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    init_error_handlers(app)
    init_response_checks(app)
    app.after_request(_security_headers)
    return app


def select_locale() -> str:
    from flask import current_app, has_request_context
    from flask_login import current_user

    if not has_request_context():  # command line, background tasks: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") or getattr(current_user, "locale", None)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str | None:
    """The signed-in person's time zone for the dates pages show; else the platform's."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context():
        return getattr(current_user, "time_zone", None)
    return None


_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if getattr(g, "auth_method", None) or request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
