"""GET /api/v1/openapi.json: the document spec.py builds from the routes' declarations."""
from __future__ import annotations

from flask import current_app, jsonify
from pydantic import ConfigDict

from ..schemas.common import Output
from . import bp
from .spec import declare, document


class OpenApiDocument(Output):
    model_config = ConfigDict(extra="allow")
    openapi: str
    paths: dict


@bp.get("/openapi.json")
@declare({200: OpenApiDocument}, public=True)
def openapi_json():
    """This document (OpenAPI 3.1)."""
    return jsonify(document(current_app))
