"""A forgotten password's reset (SPEC): the link goes by mail, the answer never tells
whether an account has the address."""
from __future__ import annotations

from flask import jsonify

from ..ratelimits import reset_requests
from ..schemas.accounts import NewPassword, Nothing, PasswordResetRequest
from ..services import account_links
from . import bp, json_body
from .spec import declare


@bp.post("/password-reset")
@declare({202: Nothing}, body=PasswordResetRequest, errors=(429,), public=True)
@reset_requests
def request_password_reset():
    """Mail a password-reset link (single use, one hour) if an account has this address.

    The same answer either way."""
    account_links.request_password_reset(json_body().get("email"))
    return jsonify({}), 202


@bp.post("/password-reset/<token>")
@declare({200: Nothing}, body=NewPassword, errors=(404, 410), public=True)
def reset_password(token: str):
    """Set a new password from a reset link.

    Ends every sign-in, API token and socket of the account."""
    account_links.reset_password(token, json_body().get("password"))
    return jsonify({}), 200
