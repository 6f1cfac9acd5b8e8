"""A forgotten password's reset (SPEC): the link goes by mail, the answer never tells
whether an account has the address."""
from __future__ import annotations

from flask import jsonify

from ..ratelimits import reset_requests
from ..services import account_links
from . import bp, json_body


@bp.post("/password-reset")
@reset_requests
def request_password_reset():
    account_links.request_password_reset(json_body().get("email"))
    return jsonify({}), 202


@bp.post("/password-reset/<token>")
def reset_password(token: str):
    account_links.reset_password(token, json_body().get("password"))
    return jsonify({}), 200
