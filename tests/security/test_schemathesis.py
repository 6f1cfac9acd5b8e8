"""schemathesis against /api/v1/openapi.json, signed in (a facilitator's Bearer token) and
anonymous: no 5xx, and every answer matches the documented schema. Bounded to a few
examples per operation so that it fits in the suite."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 2


def fuzz(operation, headers: dict, failures: list) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])
        except Exception as exc:  # noqa: BLE001 (collected, reported together below)
            failures.append(f"{operation.label}: {str(exc).splitlines()[0]}")

    run()


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_the_api_answers_every_generated_request_as_documented(app, ctx, world, who):
    if app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("once is enough: the SQLite run")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = world.facilitator.bearer() if who == "facilitator" else {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        fuzz(result.ok(), headers, failures)
    assert not failures, "\n".join(sorted(set(failures)))
