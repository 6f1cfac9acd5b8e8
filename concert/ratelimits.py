"""Limits on the routes that check a password (login, API tokens, invitation acceptance,
the account page), that issue API tokens, that mail a link to an address someone types
(password reset), and that typeset PDFs."""
from __future__ import annotations

from typing import Callable

from flask import current_app, request
from flask_login import current_user
from flask_limiter.util import get_remote_address

from .extensions import limiter


def _sent_email() -> str:
    """The account a sign-in names: the `email` of the JSON body or form."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email", "") if isinstance(data, dict) or hasattr(data, "get") else ""
    # A lone surrogate would not reach the storage (Redis) encoded: it is the service's 4xx.
    return str(email).strip().lower().encode("utf-8", "backslashreplace").decode()


def _own_email() -> str:
    """The signed-in person's (the account page): an `email` in its form names no one."""
    return current_user.email if current_user.is_authenticated else ""


def password_attempts(view, email: Callable[[], str] = _sent_email):
    """Per address and e-mail (guessing one account), per e-mail whatever the address
    (guessing one account from many), and per address (spraying many). The counters are
    shared by every route that checks a password: the login page and the API do not each
    grant the full allowance."""
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], "password-any-address",
        key_func=lambda: f"account|{email()}", methods=["POST"],
    )(view)
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"], "password-account",
        key_func=lambda: f"{get_remote_address()}|{email()}", methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_IP_RATE_LIMIT"], "password-address", methods=["POST"]
    )(view)


def own_password_attempts(view):
    """The account page checks the signed-in person's password."""
    return password_attempts(view, _own_email)


def reset_requests(view):
    """Per address asked for, whatever the client (no flood of links to one mailbox), and
    per client (no probing of many addresses). Shared by the page and the API."""
    view = limiter.shared_limit(
        lambda: current_app.config["RESET_RATE_LIMIT"], "reset-account",
        key_func=lambda: f"account|{_sent_email()}", methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["RESET_IP_RATE_LIMIT"], "reset-address", methods=["POST"]
    )(view)


def token_creations(view, email: Callable[[], str] = _sent_email):
    """CONCERT_TOKENS_RATE_LIMIT tokens per account. The API and the account page spell the
    account the same way, so they share one allowance."""
    return limiter.shared_limit(
        lambda: current_app.config["TOKENS_RATE_LIMIT"], "token-create",
        key_func=lambda: f"account|{email()}", methods=["POST"],
    )(view)


def own_token_creations(view):
    """The account page issues a token to the signed-in person, on their password."""
    return password_attempts(token_creations(view, _own_email), _own_email)


def _signed_in_key() -> str:
    return f"user|{current_user.id}" if current_user.is_authenticated else get_remote_address()


def pdf_exports(view):
    """CONCERT_PDF_EXPORTS_RATE_LIMIT PDFs per person (contract, workshop minutes): other
    formats of the same routes cost little and are not counted."""
    return limiter.shared_limit(
        lambda: current_app.config["PDF_EXPORTS_RATE_LIMIT"], "pdf-export",
        key_func=_signed_in_key, exempt_when=lambda: not request.path.endswith(".pdf"),
    )(view)
