"""The file downloads beside the API (pages' routes, same authentication), described in the
same OpenAPI document: they are not JSON answers, so they have no model of their own."""
from __future__ import annotations

from ..models import COMMITMENT_STATUSES, PARTIES

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, kind: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}}


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

PATHS = {
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
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/CommitmentExport"}},
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
                                       "format"}}}},}

SCHEMAS = {
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
}
