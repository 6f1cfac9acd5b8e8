"""The OpenAPI document is generated from the routes' declarations and the pydantic models;
every answer of the tests is checked against them (CONCERT_VALIDATE_RESPONSES)."""
from __future__ import annotations

from flask import jsonify
from openapi_spec_validator import validate

from concert import create_app
from concert.api.spec import declare, declaration_of
from concert.schemas.workspace import Preview


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_declares_its_contract(app):
    undeclared = [rule.rule for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/v1/")
                  and declaration_of(app, rule.endpoint) is None]
    assert not undeclared


def test_every_operation_documents_its_body_answers_and_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "servers":
                continue
            responses = operation["responses"]
            assert any(status.startswith("2") for status in responses), (method, path)
            if not path.startswith("/t/"):
                assert {"400", "503"} <= set(responses), (method, path)
            if method in ("post", "put", "patch") and "requestBody" not in operation:
                assert method == "post" and operation.get("parameters"), (method, path)


def test_a_route_answers_its_own_models(client, world):
    token = world.facilitator.bearer()
    document = client.get("/api/v1/openapi.json").get_json()
    territory = document["paths"]["/territories/{slug}"]["get"]
    assert territory["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Territory"}
    assert client.get("/api/v1/territories/metropole", headers=token).status_code == 200


def test_an_answer_unlike_its_declaration_fails_loudly(app):
    checked = create_app({**{k: app.config[k] for k in ("DATABASE_URL", "INSTANCE_PATH")},
                          "SECRET_KEY": "test-secret", "TESTING": True,
                          "VALIDATE_RESPONSES": True, "MESSAGE_QUEUE": None})

    @declare({200: Preview}, public=True)
    def wrong():
        """Answers a field its model does not have."""
        return jsonify({"html": "<p>x</p>", "extra": 1})

    @declare({200: Preview}, public=True)
    def teapot():
        """Answers a status it does not declare."""
        return jsonify({"html": ""}), 418

    checked.add_url_rule("/api/v1/wrong", view_func=wrong)
    checked.add_url_rule("/api/v1/teapot", view_func=teapot)
    with checked.test_client() as client:
        for path in ("/api/v1/wrong", "/api/v1/teapot"):
            answer = client.get(path)
            assert answer.status_code == 500
            assert answer.get_json()["error"]["code"] == "answer_not_as_declared"
