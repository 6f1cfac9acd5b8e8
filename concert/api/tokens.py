from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..ratelimits import password_attempts
from ..services import accounts
from . import bp, json_body, signed_in


@bp.post("/tokens")
@password_attempts
def create_token():
    data = json_body()
    user = accounts.authenticate(data.get("email"), data.get("password"))
    token = accounts.issue_api_token(user, data.get("label") or "")
    return jsonify({"token": token}), 201


@bp.get("/tokens")
@signed_in
def list_tokens():
    return jsonify({"items": [
        {
            "id": token.id,
            "label": token.label,
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        }
        for token in accounts.list_api_tokens(current_user)
    ]})


@bp.delete("/tokens/<int:token_id>")
@signed_in
def revoke_token(token_id: int):
    accounts.revoke_api_token(current_user, token_id)
    return "", 204


@bp.get("/me")
@signed_in
def me():
    return jsonify({
        "id": current_user.id,
        "name": current_user.name,
        "email": current_user.email,
        "is_admin": current_user.is_admin,
    })
