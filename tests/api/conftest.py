"""Helpers of the JSON API tests: the SPEC's error shape, and no 5xx."""
from __future__ import annotations


def error_of(response) -> dict:
    """The body's `error`: JSON, whatever the status (a `requests` answer, or the Flask
    test client's)."""
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:300]
    return (response.json() if callable(response.json) else response.json)["error"]


def error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The answer is the SPEC's JSON error with that status (and that code, that field)."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = error_of(response)
    assert body["code"] and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def never_500(response) -> None:
    """Whatever was sent, the server answered it, and any refusal is the SPEC's error."""
    assert response.status_code < 500, (response.request.method, response.request.url,
                                        response.text[:500])
    if response.status_code >= 400:
        assert error_of(response)["code"] and error_of(response)["message"]
