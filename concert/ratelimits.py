"""Limits on the routes that check a password (login, API tokens, invitation acceptance),
that issue API tokens, and that typeset PDFs."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
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


def _token_owner_key() -> str:
    """The account a token is issued for: on the account page, the signed-in person (an
    `email` in that form names no one); on the API, the e-mail it signs in with. Both spell
    it the same, so they share one allowance."""
    if request.blueprint != "api" and current_user.is_authenticated:
        return f"account|{current_user.email}"
    return f"account|{_email()}"


def token_creations(view):
    """CONCERT_TOKENS_RATE_LIMIT tokens per account, by the API and the account page alike."""
    return limiter.shared_limit(
        lambda: current_app.config["TOKENS_RATE_LIMIT"], "token-create",
        key_func=_token_owner_key, methods=["POST"],
    )(view)


def _signed_in_key() -> str:
    return f"user|{current_user.id}" if current_user.is_authenticated else get_remote_address()


def pdf_exports(view):
    """CONCERT_PDF_EXPORTS_RATE_LIMIT PDFs per person (contract, workshop minutes): other
    formats of the same routes cost little and are not counted."""
    return limiter.shared_limit(
        lambda: current_app.config["PDF_EXPORTS_RATE_LIMIT"], "pdf-export",
        key_func=_signed_in_key, exempt_when=lambda: not request.path.endswith(".pdf"),
    )(view)
