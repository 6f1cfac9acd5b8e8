"""Limits on the routes that check a password (login, API tokens, invitation acceptance)
and on those that mail a link to an address someone types (password reset)."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from .extensions import limiter


def _email() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email", "") if isinstance(data, dict) or hasattr(data, "get") else ""
    # A lone surrogate would not reach the storage (Redis) encoded: it is the service's 4xx.
    return str(email).strip().lower().encode("utf-8", "backslashreplace").decode()


def _email_key() -> str:
    return f"{get_remote_address()}|{_email()}"


def _account_key() -> str:
    return f"account|{_email()}"


def password_attempts(view):
    """Per address and e-mail (guessing one account), per e-mail whatever the address
    (guessing one account from many), and per address (spraying many). The counters are
    shared by every route that checks a password: the login page and the API do not each
    grant the full allowance."""
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], "password-any-address",
        key_func=_account_key, methods=["POST"],
    )(view)
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"], "password-account",
        key_func=_email_key, methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_IP_RATE_LIMIT"], "password-address", methods=["POST"]
    )(view)


def reset_requests(view):
    """Per address asked for, whatever the client (no flood of links to one mailbox), and
    per client (no probing of many addresses). Shared by the page and the API."""
    view = limiter.shared_limit(
        lambda: current_app.config["RESET_RATE_LIMIT"], "reset-account",
        key_func=_account_key, methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["RESET_IP_RATE_LIMIT"], "reset-address", methods=["POST"]
    )(view)
