"""The OpenAPI 3 description of /api/v1. A test checks it lists every route that exists."""
from __future__ import annotations

from flask import jsonify

from ..models import (
    COMMITMENT_STATUSES, ORGANISATION_KINDS, PARTIES, PHASES, POST_KINDS, POST_STATUSES, ROLES,
)
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


def _import_op() -> dict:
    op = _op("Import an SSMSI communal delinquency CSV (facilitators); replaces the "
             "territory's figures. With `Prefer: respond-async`, answers 202 at once with "
             "the background job (its URL in `Location`)", ok=201, params=[
                 _path_param("slug"), {"name": "Prefer", "in": "header", "required": False,
                                       "schema": {"type": "string"}}],
             answer={"type": "object", "required": ["rows", "skipped"], "properties": {
                 "rows": {"type": "integer"}, "skipped": {"type": "integer"},
                 "import": {"type": "object"}}},
             errors=(400, 401, 403, 404, 422))
    op["responses"]["202"] = {"description": "Accepted", "content": {
        "application/json": {"schema": _ref("DiagnosticImportJob")}}}
    op["requestBody"] = {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}}}}}}
    return op


SLUG = _path_param("slug")
POST = _path_param("post_id", "integer")
COMMITMENT = _path_param("commitment_id", "integer")
WORKSHOP = _path_param("workshop_id", "integer")
VOTE = _path_param("vote_id", "integer")


def _query(name: str, kind: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}}

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
        "patch": _op("Change the territory's phase (facilitators)", params=[SLUG],
                     body={"type": "object", "required": ["phase"], "properties": {
                         "phase": {"enum": list(PHASES)}}},
                     answer=_ref("Territory"), errors=(400, 401, 403, 404, 422)),
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
        "post": _op("Invite someone: the link is mailed to the address (facilitators, admins)",
                    params=[SLUG],
                    body=_ref("InvitationInput"), ok=201, answer=_ref("Invitation"),
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/territories/{slug}/invitations/{invitation_id}": {
        "delete": _op("Revoke a pending invitation (facilitators)", ok=204, params=[
            SLUG, _path_param("invitation_id", "integer")], errors=(401, 403, 404, 409)),
    },
    "/territories/{slug}/invitations/{invitation_id}/resend": {
        "post": _op("Mail a pending invitation again, with a new link valid for the full "
                    "period (the previous link stops working)", params=[
                        SLUG, _path_param("invitation_id", "integer")],
                    answer=_ref("Invitation"), errors=(401, 403, 404, 409)),
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
    "/territories/{slug}/channels": {
        "get": _op("Channels I may see (facilitators: all, to manage them)",
                   answer=_list_of("Channel"), params=[SLUG], errors=(401, 404)),
        "post": _op("Create a channel (facilitators)", params=[SLUG], body=_ref("ChannelInput"),
                    ok=201, answer=_ref("Channel"), errors=(400, 401, 403, 404, 409, 422)),
    },
    "/territories/{slug}/channels/{channel_id}": {
        "patch": _op("Rename, describe, archive or restrict a channel (facilitators)",
                     params=[SLUG, _path_param("channel_id", "integer")],
                     body=_ref("ChannelInput"), answer=_ref("Channel"),
                     errors=(400, 401, 403, 404, 409, 422)),
    },
    "/territories/{slug}/posts": {
        "get": _op(
            "Posts I may see, oldest first. Without `after_seq`/`before_seq`: the latest page; "
            "`before_seq` pages backwards through history; `order=supports` ranks needs and "
            "proposals by support.",
            params=[SLUG, *[_query(name, kind) for name, kind in [
                ("channel", "integer"), ("kind", "string"), ("status", "string"),
                ("thread", "integer"), ("top_level", "boolean"), ("after_seq", "integer"),
                ("before_seq", "integer"), ("limit", "integer"), ("order", "string")]]],
            answer={"type": "object", "properties": {
                "items": {"type": "array", "items": _ref("Post")},
                "first_seq": {"type": ["integer", "null"]},
                "last_seq": {"type": ["integer", "null"]}}},
            errors=(401, 404, 422)),
        "post": _op("Post a message, need or proposal (idempotent by `client_id`: the same "
                    "client_id again answers 200 with the first post); 429 past "
                    "CONCERT_POSTS_PER_MINUTE posts a minute",
                    params=[SLUG], body=_ref("PostInput"), ok=201, answer=_ref("Post"),
                    errors=(400, 401, 403, 404, 409, 422, 429)),
    },
    "/posts/{post_id}": {
        "get": _op("One post", params=[POST], answer=_ref("Post"), errors=(401, 404)),
        "patch": _op("Edit my post (the previous text goes to its history)", params=[POST],
                     body={"type": "object", "required": ["body"],
                           "properties": {"body": {"type": "string", "maxLength": 10000}}},
                     answer=_ref("Post"), errors=(400, 401, 403, 404, 409, 422)),
        "delete": _op("Delete a post (author or facilitator): a placeholder remains",
                      params=[POST], answer=_ref("Post"), errors=(401, 403, 404, 409)),
    },
    "/posts/{post_id}/support": {
        "post": _op("Support a need or proposal, or withdraw my support (toggle)",
                    params=[POST], answer=_ref("Post"), errors=(401, 403, 404, 409)),
    },
    "/posts/{post_id}/revisions": {
        "get": _op("Earlier versions of an edited post", params=[POST],
                   answer=_list_of("PostRevision"), errors=(401, 404)),
    },
    "/preview": {
        "post": _op("Render a Markdown body as it would be published (sanitised HTML); "
                    "nothing is stored",
                    body={"type": "object", "required": ["body"], "properties": {
                        "body": {"type": "string", "minLength": 1, "maxLength": 10000}}},
                    answer={"type": "object", "properties": {"html": {"type": "string"}}},
                    errors=(400, 401, 422)),
    },
    "/posts/{post_id}/decline": {
        "post": _op("Decline a need or proposal, with the reason shown to all (facilitators)",
                    params=[POST], body={"type": "object", "required": ["reason"],
                                         "properties": {"reason": {"type": "string"}}},
                    answer=_ref("Post"), errors=(400, 401, 403, 404, 409, 422)),
    },
    "/posts/{post_id}/merge": {
        "post": _op("Merge a duplicate into another need or proposal; supports are combined, "
                    "each person counted once (facilitators)", params=[POST],
                    body={"type": "object", "required": ["into"],
                          "properties": {"into": {"type": "integer"}}},
                    answer=_ref("Post"), errors=(400, 401, 403, 404, 409, 422)),
    },
    "/posts/{post_id}/reopen": {
        "post": _op("Reopen a declined contribution (facilitators)", params=[POST],
                    answer=_ref("Post"), errors=(401, 403, 404, 409)),
    },
    "/territories/{slug}/commitments": {
        "get": _op("Commitments of the territory", answer=_list_of("Commitment"), params=[
            SLUG, _query("status", "string"), _query("party", "string"),
            _query("pilot", "string"), _query("channel", "integer")], errors=(401, 404, 422)),
        "post": _op("Promote needs/proposals (`source_posts`) into a new commitment "
                    "(facilitators). An already promoted post needs `repromote: true`.",
                    params=[SLUG], body=_ref("CommitmentInput"), ok=201,
                    answer=_ref("Commitment"), errors=(400, 401, 403, 404, 409, 422)),
    },
    "/commitments/{commitment_id}": {
        "get": _op("One commitment", params=[COMMITMENT], answer=_ref("Commitment"),
                   errors=(401, 404)),
        "patch": _op("Edit a commitment or change its status (facilitators); each change is "
                     "a revision", params=[COMMITMENT], body=_ref("CommitmentInput"),
                     answer=_ref("Commitment"), errors=(400, 401, 403, 404, 409, 422)),
    },
    "/commitments/{commitment_id}/revisions": {
        "get": _op("Revision history: who changed which fields, before and after",
                   params=[COMMITMENT], answer=_list_of("CommitmentRevision"),
                   errors=(401, 404)),
    },
    "/commitments/{commitment_id}/indicators/{indicator_id}/measurements": {
        "post": _op("Record a measurement of an indicator (facilitators)",
                    params=[COMMITMENT, _path_param("indicator_id", "integer")],
                    body={"type": "object", "required": ["date", "value"], "properties": {
                        "date": {"type": "string", "format": "date"},
                        "value": {"type": "number"}, "comment": {"type": "string"}}},
                    ok=201, answer=_ref("Commitment"), errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/audit": {
        "get": _op("Audit log of the territory, newest first (facilitators)", params=[
            SLUG, _query("action", "string"), _query("actor", "integer"),
            _query("object_type", "string"), _query("before_id", "integer"),
            _query("limit", "integer")], answer={"type": "object", "properties": {
                "items": {"type": "array", "items": _ref("AuditEntry")},
                "next_before_id": {"type": ["integer", "null"]}}},
            errors=(401, 403, 404, 422)),
    },
    "/territories/{slug}/diagnostic": {
        "get": _op("The shared diagnostic: last import, indicators (communes × years), "
                   "organisations' entries, observations, needs of the channels I see",
                   answer=_ref("Diagnostic"), params=[SLUG], errors=(401, 403, 404)),
    },
    "/territories/{slug}/diagnostic/import": {
        "post": _import_op(),
    },
    "/territories/{slug}/diagnostic/imports/{job_id}": {
        "get": _op("Where a background import stands (facilitators): progress, then result "
                   "or error", answer=_ref("DiagnosticImportJob"),
                   params=[SLUG, _path_param("job_id", "integer")], errors=(401, 403, 404)),
    },
    "/territories/{slug}/diagnostic/entry": {
        "put": _op("Describe my organisation's means and methods (facilitators, actors)",
                   body=_ref("DiagnosticEntryInput"), answer=_ref("DiagnosticEntry"),
                   params=[SLUG], errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/diagnostic/observations": {
        "post": _op("Add a facilitator's observation (Markdown), on the diagnostic or an entry",
                    body={"type": "object", "required": ["body"], "properties": {
                        "body": {"type": "string"}, "entry": {"type": ["integer", "null"]}}},
                    ok=201, answer=_ref("DiagnosticObservation"), params=[SLUG],
                    errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/contract": {
        "get": _op("The draft contract, assembled (document model: title, meta, numbered "
                   "sections of blocks), or frozen version `version`", params=[
                       SLUG, _query("version", "integer")], answer=_ref("ContractDocument"),
                   errors=(401, 404, 422)),
    },
    "/territories/{slug}/contract/sections": {
        "get": _op("The contract's editable Markdown sections", params=[SLUG],
                   answer={"type": "object", "properties": {"items": {
                       "type": "array", "items": _ref("ContractSection")}}}, errors=(401, 404)),
    },
    "/territories/{slug}/contract/sections/{key}": {
        "put": _op("Write an editable section (facilitators)", params=[
            SLUG, _path_param("key")], body={"type": "object", "properties": {
                "body": {"type": "string", "maxLength": 50000}}},
            answer=_ref("ContractSection"), errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/contract/frameworks": {
        "get": _op("Integrated frameworks (CLS, STSPD, contrat de ville…)", params=[SLUG],
                   answer=_list_of("ContractFramework"), errors=(401, 404)),
        "post": _op("Add an integrated framework (facilitators)", params=[SLUG],
                    body=_ref("ContractFrameworkInput"), ok=201,
                    answer=_ref("ContractFramework"), errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/contract/frameworks/{framework_id}": {
        "patch": _op("Edit an integrated framework (facilitators)", params=[
            SLUG, _path_param("framework_id", "integer")], body=_ref("ContractFrameworkInput"),
            answer=_ref("ContractFramework"), errors=(400, 401, 403, 404, 422)),
        "delete": _op("Remove an integrated framework (facilitators)", ok=204, params=[
            SLUG, _path_param("framework_id", "integer")], errors=(401, 403, 404)),
    },
    "/territories/{slug}/contract/versions": {
        "get": _op("Frozen versions, oldest first", params=[SLUG],
                   answer=_list_of("ContractVersion"), errors=(401, 404)),
        "post": _op("Freeze the current draft as the next version (facilitators); "
                    "broadcasts `contract.version`", params=[SLUG],
                    body={"type": "object", "properties": {"note": {"type": "string"}}},
                    ok=201, answer=_ref("ContractVersion"), errors=(400, 401, 403, 404, 422)),
    },
    "/territories/{slug}/contract/diff": {
        "get": _op("Compare version `from` with version `to` (or `draft`): commitments "
                   "added, removed, changed field by field; sections whose text changed "
                   "(unified diff lines)", params=[
                       SLUG, {**_query("from", "integer"), "required": True},
                       _query("to", "string")], answer=_ref("ContractDiff"),
                   errors=(401, 404, 422)),
    },
    "/territories/{slug}/workshops": {
        "get": _op("Workshops of a territory (live and upcoming, then past)",
                   answer=_list_of("Workshop"), params=[SLUG], errors=(401, 404)),
        "post": _op("Plan a workshop (facilitators)", body=_ref("WorkshopInput"), ok=201,
                    answer=_ref("Workshop"), params=[SLUG], errors=(400, 401, 403, 404, 422)),
    },
    "/workshops/{workshop_id}": {
        "get": _op("One workshop, with the server's clock (`server_now`) for its timer",
                   answer=_ref("Workshop"), params=[WORKSHOP], errors=(401, 404)),
        "patch": _op("Edit a planned workshop (facilitators): the fields given change, a new "
                     "`agenda` replaces the old one; 409 if live, closed or cancelled",
                     body=_ref("WorkshopPatch"), answer=_ref("Workshop"), params=[WORKSHOP],
                     errors=(400, 401, 403, 404, 409, 422)),
    },
    "/workshops/{workshop_id}/cancel": {
        "post": _op("Cancel a planned workshop (facilitators), with an optional reason shown "
                    "on its page; 409 if live, closed or already cancelled",
                    body={"type": "object", "properties": {
                        "reason": {"type": ["string", "null"], "maxLength": 2000}}},
                    answer=_ref("Workshop"), params=[WORKSHOP],
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/workshops/{workshop_id}/start": {
        "post": _op("Start a planned workshop (facilitators); 409 if live, closed or "
                    "cancelled",
                    answer=_ref("Workshop"), params=[WORKSHOP], errors=(401, 403, 404, 409)),
    },
    "/workshops/{workshop_id}/agenda": {
        "post": _op("Move to another agenda item (facilitators): its timer restarts",
                    body={"type": "object", "required": ["to"], "properties": {"to": {
                        "oneOf": [{"enum": ["next", "previous"]}, {"type": "integer"}]}}},
                    answer=_ref("Workshop"), params=[WORKSHOP],
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/workshops/{workshop_id}/close": {
        "post": _op("Close a live workshop (facilitators); its open vote closes too",
                    answer=_ref("Workshop"), params=[WORKSHOP], errors=(401, 403, 404, 409)),
    },
    "/workshops/{workshop_id}/contributions": {
        "get": _op("Posts made from the workshop that I may see", answer=_list_of("Post"),
                   params=[WORKSHOP], errors=(401, 404)),
    },
    "/workshops/{workshop_id}/votes": {
        "post": _op("Open a dot-vote on needs/proposals of channels open to all (facilitators)",
                    body=_ref("VoteInput"), ok=201, answer=_ref("Vote"), params=[WORKSHOP],
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/workshops/{workshop_id}/votes/{vote_id}": {
        "get": _op("A vote, its results and my dots", answer=_ref("Vote"),
                   params=[WORKSHOP, VOTE], errors=(401, 404)),
    },
    "/workshops/{workshop_id}/votes/{vote_id}/dots": {
        "post": _op("Place one of my dots (actors, facilitators): with `slot`, place or move "
                    "that dot (idempotent); without, the first free one (409 if none)",
                    body={"type": "object", "required": ["post"], "properties": {
                        "post": {"type": "integer"}, "slot": {"type": "integer", "minimum": 0}}},
                    answer=_ref("Vote"), params=[WORKSHOP, VOTE],
                    errors=(400, 401, 403, 404, 409, 422)),
    },
    "/workshops/{workshop_id}/votes/{vote_id}/dots/{slot}": {
        "delete": _op("Take back one of my dots", answer=_ref("Vote"),
                      params=[WORKSHOP, VOTE, _path_param("slot", "integer")],
                      errors=(401, 403, 404, 409)),
    },
    "/workshops/{workshop_id}/votes/{vote_id}/close": {
        "post": _op("Close a vote (facilitators)", answer=_ref("Vote"),
                    params=[WORKSHOP, VOTE], errors=(401, 403, 404, 409)),
    },
    "/workshops/{workshop_id}/minutes": {
        "get": _op("Minutes of a closed workshop, as an assembled document (409 before it "
                   "closes); what the caller may see only", answer={"type": "object"},
                   params=[WORKSHOP], errors=(401, 404, 409)),
    },
    "/openapi.json": {"get": _op("This document", public=True, errors=())},
    # File downloads outside /api/v1 (same authentication): the server root, not /api/v1.
    "/t/{slug}/export/commitments.{format}": {
        "servers": [{"url": "/"}],
        "get": {
            "summary": "Commitment list as a file (Content-Disposition: attachment)",
            "parameters": [SLUG, {"name": "format", "in": "path", "required": True,
                                  "schema": {"enum": ["csv", "xlsx", "ods", "json", "md"]}},
                           {**_query("party", "string"), "schema": {"enum": list(PARTIES)}},
                           {**_query("status", "string"),
                            "schema": {"enum": list(COMMITMENT_STATUSES)}},
                           _query("pilot", "string"), _query("channel", "integer")],
            "responses": {
                "200": {"description": "CSV: UTF-8 with BOM, `;`, CRLF, French headers, dates "
                                       "dd/mm/yyyy. XLSX/ODS: sheets Tous, one per party, "
                                       "Indicateurs.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CommitmentExport"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}},
                    "application/vnd.oasis.opendocument.spreadsheet": {
                        "schema": {"type": "string", "format": "binary"}},
                    "text/markdown": {"schema": {"type": "string"}}}},
                "400": {"description": "Bad filter"},
                "404": {"description": "Unknown territory, not a member, or unknown format"}}}},
    "/t/{slug}/export/contract.{format}": {
        "servers": [{"url": "/"}],
        "get": {
            "summary": "Contract (current draft, or frozen version N) as a document",
            "parameters": [SLUG, {"name": "format", "in": "path", "required": True,
                                  "schema": {"enum": ["docx", "odt", "pdf", "md", "html"]}},
                           {**_query("version", "integer"),
                            "description": "A frozen version; the current draft without it"}],
            "responses": {
                "200": {"description": "The document", "content": {
                    media: {"schema": {"type": "string", "format": "binary"}} for media in (
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "application/vnd.oasis.opendocument.text", "application/pdf",
                        "text/markdown", "text/html")}},
                "400": {"description": "Bad version number"},
                "404": {"description": "Unknown territory or version, not a member, or unknown "
                                       "format"}}}},
}

_INDICATOR = {"type": "object", "required": ["name"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "unit": {"type": "string"},
    "baseline": {"type": ["number", "null"]}, "target": {"type": ["number", "null"]}}}
_COMMITMENT_FIELDS = {
    "title": {"type": "string", "maxLength": 200}, "description": {"type": "string"},
    "party": {"enum": list(PARTIES)}, "pilot": {"type": "string"},
    "partners": {"type": "array", "items": {"type": "string"}},
    "channel": {"type": ["integer", "null"]},
    "actions": {"type": "array", "items": {"type": "string"}},
    "means": {"type": "object", "properties": {
        "staff": {"type": "string"}, "budget": {"type": "string"},
        "equipment": {"type": "string"}}},
    "start_date": {"type": ["string", "null"], "format": "date"},
    "due_date": {"type": ["string", "null"], "format": "date"},
    "indicators": {"type": "array", "items": _INDICATOR},
    "status": {"enum": list(COMMITMENT_STATUSES)},
    "abandon_reason": {"type": ["string", "null"]},
}
_WORKSHOP_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "starts_at": {"type": "string", "format": "date-time",
                  "description": "Without an offset: the server's time zone"},
    "place": {"type": "string"}, "online_url": {"type": "string", "format": "uri"},
    "invited": {"type": "array", "items": {"type": "string"}},
    "agenda": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["title", "minutes"], "properties": {
            "title": {"type": "string"}, "minutes": {"type": "integer", "minimum": 1},
            "channel": {"type": ["integer", "null"]}}}},
}

SCHEMAS = {
    "CommitmentInput": {"type": "object", "properties": {
        **_COMMITMENT_FIELDS,
        "source_posts": {"type": "array", "items": {"type": "integer"},
                         "description": "Creation only: the needs/proposals promoted"},
        "repromote": {"type": "boolean",
                      "description": "Creation only: allow posts already promoted"}}},
    "Commitment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "integer"}, **_COMMITMENT_FIELDS,
        "indicators": {"type": "array", "items": {"type": "object", "properties": {
            **_INDICATOR["properties"], "latest": {"type": ["number", "null"]},
            "progress": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "measurements": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "date": {"type": "string", "format": "date"},
                "value": {"type": "number"}, "comment": {"type": "string"}}}}}}},
        "source_posts": {"type": "array", "items": {"type": "integer"},
                         "description": "Sources visible to the caller"},
        "sources": {"type": "array", "items": {"type": "object"}},
        "hidden_sources": {"type": "integer",
                           "description": "Sources in channels hidden from the caller"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "CommitmentExport": {
        "type": "object", "required": ["territory", "generated_at", "filters", "items"],
        "description": "GET /t/{slug}/export/commitments.json: the commitment list as the caller "
                       "may see it (sources of restricted channels only for those allowed).",
        "properties": {
            "territory": {"$ref": "#/components/schemas/Territory"},
            "generated_at": {"type": "string", "format": "date-time"},
            "filters": {"type": "object", "description": "The filters applied (party, status, "
                                                         "pilot, channel)"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "number": {"type": "integer"}, **_COMMITMENT_FIELDS,
                "party_label": {"type": "string"}, "status_label": {"type": "string"},
                "channel": {"type": ["integer", "null"],
                            "description": "Null when the channel is hidden from the caller"},
                "channel_name": {"type": ["string", "null"]},
                "indicators": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "unit": {"type": "string"},
                    "baseline": {"type": ["number", "null"]},
                    "target": {"type": ["number", "null"]},
                    "latest": {"type": ["number", "null"]},
                    "latest_date": {"type": ["string", "null"], "format": "date"}}}},
                "source_posts": {"type": "array", "items": {"type": "integer"}},
                "sources": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "url": {"type": "string", "description": "Link to the post in the "
                                                             "workspace"}}}},
                "last_revision_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}}}}}},
    "CommitmentRevision": {"type": "object", "properties": {
        "id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "author": {"type": "object"},
        "changes": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "before": {}, "after": {}}}}}},
    "AuditEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "actor": {"type": "object"}, "action": {"type": "string"},
        "object_type": {"type": "string"}, "object_id": {"type": ["integer", "null"]},
        "before": {}, "after": {}, "hidden": {"type": "boolean"}}},
    "Channel": {"type": "object", "required": ["id", "name", "restricted_to", "archived"],
                "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "description": {"type": "string"},
                    "restricted_to": {"type": ["array", "null"],
                                      "items": {"enum": list(ORGANISATION_KINDS)}},
                    "archived": {"type": "boolean"}}},
    "ChannelInput": {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 80}, "description": {"type": "string"},
        "restricted_to": {"type": ["array", "null"], "items": {"enum": list(ORGANISATION_KINDS)}},
        "archived": {"type": "boolean"}}},
    "Post": {"type": "object", "properties": {
        "id": {"type": "integer"}, "channel": {"type": "integer"},
        "kind": {"enum": list(POST_KINDS)}, "body": {"type": "string"},
        "html": {"type": "string", "description": "Sanitised HTML rendering of `body`"},
        "status": {"enum": [*POST_STATUSES, None]},
        "author": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "organisation": {"type": "string"}, "organisation_kind": {"type": "string"}}},
        "reply_to": {"type": ["integer", "null"]}, "replies": {"type": "integer"},
        "supports": {"type": "integer"}, "seq": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "edited_at": {"type": ["string", "null"], "format": "date-time"},
        "deleted": {"type": "boolean"}, "client_id": {"type": ["string", "null"]},
        "workshop": {"type": ["integer", "null"]}, "agenda_item": {"type": ["integer", "null"]},
        "supported": {"type": "boolean",
                      "description": "In lists: whether I support it"}}},
    "PostInput": {"type": "object", "required": ["channel", "kind", "body"], "properties": {
        "channel": {"type": "integer"}, "kind": {"enum": list(POST_KINDS)},
        "body": {"type": "string", "minLength": 1, "maxLength": 10000},
        "client_id": {"type": "string", "maxLength": 64},
        "reply_to": {"type": ["integer", "null"]},
        "workshop": {"type": ["integer", "null"],
                     "description": "Made from this live workshop (tagged with its current item)"},
        "agenda_item": {"type": ["integer", "null"],
                        "description": "With `workshop`: refused (409) unless it is the current item"}}},
    "PostRevision": {"type": "object", "properties": {
        "body": {"type": "string"}, "written_at": {"type": "string", "format": "date-time"},
        "replaced_at": {"type": "string", "format": "date-time"}}},
    "DiagnosticEntryInput": {"type": "object", "properties": {
        name: {"type": "string", "maxLength": 5000} for name in (
            "staff", "equipment", "hours", "partnerships", "schemes", "notes")}},
    "DiagnosticEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "organisation": {"type": "string"},
        "organisation_kind": {"type": "string"},
        **{name: {"type": "string"} for name in (
            "staff", "equipment", "hours", "partnerships", "schemes", "notes")},
        "updated_by": {"type": ["string", "null"]},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "DiagnosticObservation": {"type": "object", "properties": {
        "id": {"type": "integer"}, "entry": {"type": ["integer", "null"]},
        "body": {"type": "string"}, "html": {"type": "string"},
        "author": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"}}},
    "DiagnosticImportJob": {"type": "object", "required": [
        "id", "status", "lines", "kept", "skipped"], "properties": {
        "id": {"type": "integer"}, "status": {"enum": ["running", "done", "failed"]},
        "filename": {"type": "string"}, "size": {"type": "integer"},
        "bytes_read": {"type": "integer"}, "lines": {"type": "integer"},
        "kept": {"type": "integer"}, "skipped": {"type": "integer"},
        "error": {"type": ["string", "null"]}, "import": {"type": ["object", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}},
    "Diagnostic": {"type": "object", "properties": {
        "communes": {"type": "array", "items": {"type": "string"}},
        "import": {"type": ["object", "null"], "properties": {
            "filename": {"type": "string"}, "edition": {"type": "string"},
            "encoding": {"type": "string"}, "rows": {"type": "integer"},
            "skipped": {"type": "integer"}, "imported_by": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"}}},
        "indicators": {"type": "array", "items": {"type": "object", "properties": {
            "indicator": {"type": "string"}, "unit": {"type": "string"},
            "years": {"type": "array", "items": {"type": "integer"}},
            "rate_base": {"enum": ["population", "dwellings"]},
            "communes": {"type": "array", "items": {"type": "object", "properties": {
                "commune": {"type": "string", "description": "INSEE code"},
                "name": {"type": ["string", "null"],
                         "description": "Name from Etalab's découpage administratif; null "
                                        "for a code it does not know"},
                "series": {"type": "array", "description": "One per year: null (no row) or "
                           "{facts, rate, published}; facts and rate are null when not "
                           "published (non diffusé)"},
                "evolution": {"type": ["number", "null"],
                              "description": "% from first to last published year"}}}},
            "totals": {"type": "array", "items": {"type": "object", "properties": {
                "year": {"type": "integer"}, "facts": {"type": ["number", "null"]},
                "rate": {"type": ["number", "null"]}, "partial": {"type": "boolean"}}}},
            "evolution": {"type": ["number", "null"]},
            "evolution_years": {"type": ["array", "null"], "items": {"type": "integer"}}}}},
        "entries": {"type": "array", "items": _ref("DiagnosticEntry")},
        "observations": {"type": "array", "items": _ref("DiagnosticObservation")},
        "needs": {"type": "array", "items": {"type": "object", "properties": {
            "channel": {"type": "object"}, "needs": {"type": "array",
                                                     "items": {"type": "object"}}}}}}},
    "ContractDocument": {"type": "object", "required": ["kind", "title", "meta", "sections"],
                         "properties": {
        "kind": {"enum": ["contract"]}, "title": {"type": "string"},
        "subtitle": {"type": "string"},
        "meta": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        "sections": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "number": {"type": "string"},
            "title": {"type": "string"}, "blocks": {"type": "array", "items": {
                "type": "object", "properties": {"type": {"enum": [
                    "markdown", "paragraph", "list", "fields", "table", "chart"]}}}},
            "sections": {"type": "array", "items": {"type": "object"}}}}}}},
    "ContractSection": {"type": "object", "properties": {
        "key": {"enum": ["preamble", "diagnostic", "governance", "evaluation", "closing",
                         "signatories"]},
        "body": {"type": "string"}}},
    "ContractFrameworkInput": {"type": "object", "properties": {
        "kind": {"enum": ["cls", "stspd", "contrat_de_ville", "convention_coordination",
                          "other"]},
        "name": {"type": "string", "maxLength": 200},
        "start_date": {"type": ["string", "null"], "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "integration": {"type": "string"}}},
    "ContractFramework": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "name": {"type": "string"},
        "start_date": {"type": ["string", "null"], "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "integration": {"type": "string"}}},
    "ContractVersion": {"type": "object", "properties": {
        "number": {"type": "integer"}, "note": {"type": "string"},
        "author": {"type": "object", "properties": {"id": {"type": ["integer", "null"]},
                                                    "name": {"type": "string"}}},
        "created_at": {"type": "string", "format": "date-time"}}},
    "ContractDiff": {"type": "object", "properties": {
        "from": {"type": "integer"}, "to": {"type": ["integer", "string"]},
        "commitments": {"type": "object", "properties": {
            key: {"type": "array", "items": {"type": "object"}}
            for key in ("added", "removed", "changed")}},
        "sections": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "title": {"type": "string"},
            "before": {"type": "string"}, "after": {"type": "string"},
            "diff": {"type": "array", "items": {"type": "string"}}}}}}},
    "WorkshopInput": {"type": "object", "required": ["title", "starts_at", "agenda"],
                      "properties": _WORKSHOP_FIELDS},
    "WorkshopPatch": {"type": "object", "properties": _WORKSHOP_FIELDS,
                      "description": "Only the fields given change"},
    "Workshop": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"}, "place": {"type": "string"},
        "online_url": {"type": "string"}, "invited": {"type": "array", "items": {"type": "string"}},
        "status": {"enum": ["planned", "live", "closed", "cancelled"]},
        "agenda": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "position": {"type": "integer"},
            "title": {"type": "string"}, "minutes": {"type": "integer"},
            "channel": {"type": ["integer", "null"]}}}},
        "current_item": {"type": ["integer", "null"], "description": "Position while live"},
        "current_agenda_item": {"type": ["integer", "null"]},
        "item_started_at": {"type": ["string", "null"], "format": "date-time"},
        "item_ends_at": {"type": ["string", "null"], "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "closed_at": {"type": ["string", "null"], "format": "date-time"},
        "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
        "cancel_reason": {"type": ["string", "null"]},
        "server_now": {"type": "string", "format": "date-time"},
        "votes": {"type": "array", "items": _ref("Vote")}}},
    "VoteInput": {"type": "object", "required": ["posts"], "properties": {
        "question": {"type": "string", "maxLength": 300},
        "dots": {"type": "integer", "minimum": 1, "maximum": 10},
        "posts": {"type": "array", "items": {"type": "integer"}, "minItems": 2}}},
    "Vote": {"type": "object", "properties": {
        "id": {"type": "integer"}, "question": {"type": "string"}, "dots": {"type": "integer"},
        "status": {"enum": ["open", "closed"]}, "agenda_item": {"type": ["integer", "null"]},
        "options": {"type": "array", "items": {"type": "object", "properties": {
            "post": {"type": "integer"}, "kind": {"type": "string"}, "text": {"type": "string"},
            "organisation": {"type": "string"}, "dots": {"type": "integer"}}}},
        "voters": {"type": "integer"}, "total": {"type": "integer"},
        "mine": {"type": "array", "items": {"type": "object", "properties": {
            "slot": {"type": "integer"}, "post": {"type": "integer"}}}}}},
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
        "url": {"type": "string", "description": (
            "Only in the answer that creates or re-sends it, and only when no SMTP server "
            "is configured (development): otherwise the link is only in the mail")}}},
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
