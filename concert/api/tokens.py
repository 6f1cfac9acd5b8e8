"""Personal API tokens."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..ratelimits import password_attempts, token_creations
from ..schemas.accounts import ApiTokenList, Credentials, TokenCreated, TokenInput
from ..schemas.common import parse
from ..services import accounts
from . import bp, json_body, signed_in
from .spec import declare


@bp.post("/tokens")
@declare({201: TokenCreated}, body=Credentials, errors=(401, 429), public=True)
@password_attempts
@token_creations
def create_token():
    """Create a personal API token from e-mail and password."""
    data = json_body()
    user = accounts.authenticate(data.get("email"), data.get("password"))
    api_token, token = accounts.new_api_token(user, parse(TokenInput, data))
    return jsonify({"token": token, **_token_json(api_token)}), 201


@bp.get("/tokens")
@declare({200: ApiTokenList})
@signed_in
def list_tokens():
    """List my active API tokens (never their secrets)."""
    return jsonify({"items": [_token_json(t) for t in accounts.list_api_tokens(current_user)]})


def _token_json(api_token) -> dict:
    """What its owner sees of a token: never the secret (only its hash is stored)."""
    return {
        "id": api_token.id,
        "label": api_token.label,
        "created_at": api_token.created_at.isoformat(),
        "last_used_at": _iso(api_token.last_used_at),
        "expires_at": _iso(api_token.expires_at),
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@bp.delete("/tokens/<int:token_id>")
@declare({204: None}, errors=(404,))
@signed_in
def revoke_token(token_id: int):
    """Revoke one of my API tokens."""
    accounts.revoke_api_token(current_user, token_id)
    return "", 204
