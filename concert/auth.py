"""Who is making this request: the browser session or a Bearer token, nothing else."""
from __future__ import annotations

from flask import g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from .services import accounts


def load_user_from_request(request):
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = accounts.user_for_token(token.strip())
        g.auth_method = "token" if user else None
        return user
    key = session.get("sid")
    if isinstance(key, str):
        user = accounts.user_for_session(key)
        if user is None:
            session.clear()
        g.auth_method = "session" if user else None
        return user
    return None


def sign_in(user) -> None:
    """Renews the whole cookie session: nothing from before sign-in survives it, not even
    the server-side session of an earlier sign-in in this browser."""
    previous = current_session_key()
    if previous:
        accounts.end_login_session(previous)
    session.clear()
    session["sid"] = accounts.start_login_session(
        user, user_agent=request.headers.get("User-Agent", ""),
        ip_address=request.remote_addr or "")
    session.permanent = True


def current_session_key() -> str | None:
    """This browser's sign-in, which a password change or "end the others" keeps."""
    key = session.get("sid")
    return key if isinstance(key, str) else None


def sign_out() -> None:
    key = current_session_key()
    if key:
        accounts.end_login_session(key)
    session.clear()


def init_login(login_manager: LoginManager) -> None:
    login_manager.request_loader(load_user_from_request)
    login_manager.login_view = "web.login"
    login_manager.session_protection = None  # our own server-side sessions (LoginSession)
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
