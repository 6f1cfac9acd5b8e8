"""The OpenAPI 3 description of /api/v1. A test checks it lists every route that exists."""
from __future__ import annotations

from flask import jsonify

from ..models import ORGANISATION_KINDS, PHASES, ROLES
from . import bp

_ERROR = {"$ref": "#/components/responses/Error"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict:
    return {"type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": _ref(name)}}}


def _op(summary: str, *, body: dict | None = None, ok: int = 200, answer: dict | None = None,
        errors=(400, 401, 403, 404), public: bool = False, params: list | None = None) -> dict:
    responses: dict = {str(ok): {"description": "OK"}}
    if answer is not None:
        responses[str(ok)]["content"] = {"application/json": {"schema": answer}}
    for status in errors:
        responses[str(status)] = _ERROR
    op: dict = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if public:
        op["security"] = []
    if params:
        op["parameters"] = params
    return op


def _path_param(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


SLUG = _path_param("slug")

PATHS = {
    "/tokens": {
        "post": _op("Create a personal API token from e-mail and password", public=True,
                    body=_ref("Credentials"), ok=201,
                    answer={"type": "object", "properties": {"token": {"type": "string"}}},
                    errors=(400, 401, 422, 429)),
        "get": _op("List my active API tokens", answer=_list_of("ApiToken"), errors=(401,)),
    },
    "/tokens/{token_id}": {
        "delete": _op("Revoke one of my API tokens", ok=204, errors=(401, 404),
                      params=[_path_param("token_id", "integer")]),
    },
    "/me": {"get": _op("The signed-in user", answer=_ref("Me"), errors=(401,))},
    "/territories": {
        "get": _op("Territories I belong to (admins: all)", answer=_list_of("Territory"),
                   errors=(401,)),
        "post": _op("Create a territory (platform admins)", body=_ref("TerritoryInput"), ok=201,
                    answer=_ref("Territory"), errors=(400, 401, 403, 409, 422)),
    },
    "/territories/{slug}": {
        "get": _op("One territory", answer=_ref("Territory"), params=[SLUG], errors=(401, 404)),
    },
    "/territories/{slug}/members": {
        "get": _op("Members of a territory", answer=_list_of("Member"), params=[SLUG],
                   errors=(401, 404)),
    },
    "/territories/{slug}/members/{membership_id}": {
        "patch": _op("Change a member's role (facilitators)", params=[
            SLUG, _path_param("membership_id", "integer")],
            body={"type": "object", "required": ["role"],
                  "properties": {"role": {"enum": list(ROLES)}}},
            answer=_ref("Member"), errors=(400, 401, 403, 404, 409, 422)),
        "delete": _op("Remove a member (facilitators)", ok=204, params=[
            SLUG, _path_param("membership_id", "integer")], errors=(401, 403, 404, 409)),
    },
    "/territories/{slug}/invitations": {
        "get": _op("Pending invitations (facilitators)", answer=_list_of("Invitation"),
                   params=[SLUG], errors=(401, 403, 404)),
        "post": _op("Invite someone by e-mail (facilitators, admins)", params=[SLUG],
                    body=_ref("InvitationInput"), ok=201, answer=_ref("Invitation"),
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/territories/{slug}/invitations/{invitation_id}": {
        "delete": _op("Revoke a pending invitation (facilitators)", ok=204, params=[
            SLUG, _path_param("invitation_id", "integer")], errors=(401, 403, 404, 409)),
    },
    "/invitations/{token}": {
        "get": _op("What an invitation link is for", public=True, params=[_path_param("token")],
                   answer=_ref("InvitationInfo"), errors=(404, 410)),
    },
    "/invitations/{token}/accept": {
        "post": _op("Accept an invitation: creates the user if needed, then the membership",
                    public=True, params=[_path_param("token")],
                    body={"type": "object", "properties": {
                        "name": {"type": "string"}, "password": {"type": "string", "minLength": 12}}},
                    ok=201, answer={"type": "object", "properties": {
                        "territory": _ref("Territory"), "membership": _ref("Member")}},
                    errors=(400, 401, 404, 409, 410, 422, 429)),
    },
    "/openapi.json": {"get": _op("This document", public=True, errors=())},
}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": "string"}}}}},
    "Credentials": {"type": "object", "required": ["email", "password"], "properties": {
        "email": {"type": "string", "format": "email"}, "password": {"type": "string"},
        "label": {"type": "string"}}},
    "ApiToken": {"type": "object", "properties": {
        "id": {"type": "integer"}, "label": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"}}},
    "Me": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"},
        "is_admin": {"type": "boolean"}}},
    "Territory": {"type": "object", "required": ["slug", "name", "departement", "communes", "phase"],
                  "properties": {
                      "slug": {"type": "string"}, "name": {"type": "string"},
                      "departement": {"type": "string"},
                      "communes": {"type": "array", "items": {"type": "string"}},
                      "phase": {"enum": list(PHASES)},
                      "role": {"enum": [*ROLES, None]}}},
    "TerritoryInput": {"type": "object", "required": ["slug", "name"], "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"},
        "name": {"type": "string"}, "departement": {"type": "string"},
        "communes": {"type": "array", "items": {"type": "string"}}}},
    "Member": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "user": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"}}},
        "role": {"enum": list(ROLES)}, "organisation": {"type": "string"},
        "organisation_kind": {"enum": list(ORGANISATION_KINDS)}}},
    "InvitationInput": {"type": "object",
                        "required": ["email", "role", "organisation", "organisation_kind"],
                        "properties": {
                            "email": {"type": "string", "format": "email"},
                            "role": {"enum": list(ROLES)},
                            "organisation": {"type": "string"},
                            "organisation_kind": {"enum": list(ORGANISATION_KINDS)}}},
    "Invitation": {"type": "object", "properties": {
        "id": {"type": "integer"}, "email": {"type": "string"}, "role": {"enum": list(ROLES)},
        "organisation": {"type": "string"}, "organisation_kind": {"enum": list(ORGANISATION_KINDS)},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "description": "Only in the answer that creates it"}}},
    "InvitationInfo": {"type": "object", "properties": {
        "territory": {"type": "object", "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}}},
        "email": {"type": "string"}, "role": {"enum": list(ROLES)},
        "organisation": {"type": "string"}, "organisation_kind": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"}}},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "concert API", "version": "1",
                 "description": "Concertation for a contrat de sécurité intégrée. Errors are "
                                "`{\"error\": {\"code\", \"message\"}}` with a 4xx status."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": {"Error": {"description": "Error", "content": {
                "application/json": {"schema": _ref("Error")}}}},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "concert_session",
                            "description": "Browser session; changes need the X-CSRFToken header"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
