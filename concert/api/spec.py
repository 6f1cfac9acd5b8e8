"""Each API view declares its contract (`@declare`: body or query model, answer model by
status, errors); the OpenAPI 3.1 document is built from those declarations, Flask's url_map
and the models' JSON Schema, and the tests check every answer against them."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, Response, current_app, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..schemas.common import Error
from . import downloads

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
# Every operation may answer these: a body that is no JSON object or a failed CSRF check
# (400), a body over the limit (413), the database unreachable (503).
COMMON_ERRORS = (400, 413, 503)
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Declaration:
    summary: str
    answers: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    public: bool = False
    multipart: bool = False
    statuses: frozenset[int] = field(default_factory=frozenset)
    download: bool = False


def declare(answers: dict[int, type[BaseModel] | None], *, body: type[BaseModel] | None = None,
            query: type[BaseModel] | None = None, errors: tuple[int, ...] = (),
            public: bool = False, multipart: bool = False, download: bool = False) -> Callable:
    """Put right under the route decorator. The summary is the view's docstring's first
    paragraph. 401 is added unless `public`, 422 when there is a body or a query. A
    `download` answers 200 with a file (any type), not JSON."""
    def decorate(view: Callable) -> Callable:
        extra = (() if public else (401,)) + ((422,) if body or query else ())
        all_errors = tuple(sorted(set(errors) | set(extra) | set(COMMON_ERRORS)))
        view.declaration = Declaration(
            summary=" ".join((view.__doc__ or view.__name__).strip().split("\n\n")[0].split()),
            answers=answers, body=body, query=query, errors=all_errors, public=public,
            multipart=multipart, statuses=frozenset(answers) | frozenset(all_errors),
            download=download)
        return view

    return decorate


def declaration_of(app: Flask, endpoint: str) -> Declaration | None:
    return getattr(app.view_functions.get(endpoint), "declaration", None)


# --- the document -----------------------------------------------------------------------------

def document(app: Flask) -> dict:
    """Built once per app: the routes do not change while it runs."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = _build(app)
    return app.extensions["openapi"]


def _build(app: Flask) -> dict:
    operations = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        declaration = declaration_of(app, rule.endpoint)
        if declaration is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no @declare")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operations.append((rule, method.lower(), declaration))
    models = {Error}
    for _rule, _method, d in operations:
        models |= {m for m in (d.body, d.query, *d.answers.values()) if m is not None}
    refs, definitions = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=REF)
    ref = {model: refs[(model, "validation")] for model in models}
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict] = {}
    for rule, method, d in operations:
        path, parameters = _path(rule.rule[len(PREFIX):])
        paths.setdefault(path, {})[method] = _operation(d, parameters, ref, schemas,
                                                        f"{rule.endpoint}.{method}")
    paths.update(downloads.PATHS)
    schemas.update(downloads.SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "concert API", "version": "1", "description": (
            "Concertation for a contrat de sécurité intégrée. Errors are "
            "`{\"error\": {\"code\", \"message\", \"field\"?}}` with a 4xx or 5xx status.")},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {"description": "Error", "content": {
                "application/json": {"schema": ref[Error]}}}},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "concert_session",
                            "description": "Browser session; changes need the X-CSRFToken "
                                           "header"},
            },
        },
    }


def _path(rule: str) -> tuple[str, list[dict]]:
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if converter == "int" else "string"}}
                  for converter, name in _ARGUMENT.findall(rule)]
    return _ARGUMENT.sub(r"{\2}", rule), parameters


def _operation(d: Declaration, parameters: list[dict], ref: dict, schemas: dict,
               operation_id: str) -> dict:
    responses: dict[str, Any] = {}
    for status, model in sorted(d.answers.items()):
        responses[str(status)] = {"description": "OK" if status < 300 else str(status)}
        if model is not None:
            responses[str(status)]["content"] = {"application/json": {"schema": ref[model]}}
        elif d.download and status < 300:
            responses[str(status)]["content"] = {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}
    for status in d.errors:
        responses[str(status)] = {"$ref": "#/components/responses/Error"}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": d.summary,
                                 "responses": responses}
    if d.query is not None:
        parameters = parameters + _query_parameters(d.query, schemas)
    if parameters:
        operation["parameters"] = parameters
    if d.body is not None:
        media = "multipart/form-data" if d.multipart else "application/json"
        operation["requestBody"] = {"required": True,
                                    "content": {media: {"schema": ref[d.body]}}}
    if d.public:
        operation["security"] = []
    return operation


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    schema = schemas[model.__name__]
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "schema": {k: v for k, v in prop.items() if k not in ("title", "default")}}
            for name, prop in schema["properties"].items()]


# --- checking every answer (tests) ----------------------------------------------------------

def init_response_checks(app: Flask) -> None:
    """With CONCERT_VALIDATE_RESPONSES (the tests): each /api/v1 answer must have a status
    its route declares and a body its model accepts; otherwise it becomes a 500 that names
    the mismatch, so the test that caused it fails."""
    if not app.config.get("VALIDATE_RESPONSES"):
        return

    @app.after_request
    def check_answer(response: Response) -> Response:
        if not request.path.startswith(PREFIX + "/"):
            return response
        try:
            _check(response)
        except (ValidationError, ValueError, LookupError) as exc:
            current_app.logger.error("answer does not match its declaration: %s %s → %s: %s",
                                     request.method, request.path, response.status_code, exc)
            return current_app.response_class(json.dumps({"error": {
                "code": "answer_not_as_declared",
                "message": f"{request.method} {request.path} → {response.status_code}: "
                           f"{str(exc)[:2000]}"}}), status=500, mimetype="application/json")
        return response


def _check(response: Response) -> None:
    status = response.status_code
    declaration = (declaration_of(current_app, request.url_rule.endpoint)
                   if request.url_rule is not None else None)
    if declaration is not None and status not in declaration.statuses and status != 500:
        raise LookupError(f"status {status} is not declared")
    if status >= 400:
        Error.model_validate(response.get_json())
        return
    model = declaration.answers.get(status) if declaration else None
    if declaration is not None and declaration.download:
        return
    if model is None:
        if response.get_data():
            raise ValueError("an answer declared without a body has one")
        return
    model.model_validate(response.get_json())
