"""schemathesis against /api/schema/ (drf-spectacular), in process through the WSGI app, on the test
PostgreSQL database with team A's world seeded. For each role (anonymous, team A's lead, a member
of team B reading, an admin) every operation gets generated requests: valid ones with random path
values, valid ones on team A's real objects, and — for anonymous and the team member — invalid
writes. Every response must be no 5xx, have a documented status code and content type, and a body
that matches its documented schema. Examples per operation are bounded (about a minute in all)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.factories import api_token_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Fixed examples (derandomized) so that `make test` is the same every time; API_FUZZ_SCALE=5 (say)
# explores five times as many, at random, for a deeper search by hand.
SCALE = int(os.environ.get("API_FUZZ_SCALE", "1"))
EXAMPLES = {method: n * SCALE for method, n in {"GET": 5, "POST": 5, "PUT": 3, "PATCH": 3, "DELETE": 3}.items()}
SKIP: set[str] = set()  # every operation is fuzzed


@pytest.fixture
def in_process_wsgi():
    """The test's transaction must survive each request: Django's own test client disconnects
    close_old_connections the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_objects(world) -> dict[str, object]:
    """Path prefix → team A's object, so that part of the examples reach real rows, not only 404s."""
    return {
        "/api/budget/allocations/{id}": world["team_a_allocation"].pk,
        "/api/budget/imports/{id}": world["usage_import"].pk,
        "/api/budget/requests/{id}": world["budget_request"].pk,
        "/api/checkpoints/{id}": world["checkpoint"].pk,
        "/api/data-entitlements/{id}": world["entitlement"].pk,
        "/api/data-providers/{slug}": world["data_provider"].slug,
        "/api/data-purchases/{id}": world["purchase"].pk,
        "/api/datasets/{slug}": world["dataset"].slug,
        "/api/leaderboards/{slug}": world["leaderboard"].slug,
        "/api/licences/{slug}": world["licence"].slug,
        "/api/memberships/{id}": world["membership"].pk,
        "/api/organisations/{slug}": world["organisation_a"].slug,
        "/api/originality-references/{id}": world["reference"].pk,
        "/api/originality/{checkpoint}": world["checkpoint"].pk,
        "/api/runs/{id}": world["run"].pk,
        "/api/snapshots/{id}": world["snapshot"].pk,
        "/api/stages/{slug}": world["stage"].slug,
        "/api/teams/{slug}": world["team_a"].slug,
        "/api/training-declarations/{id}": world["checkpoint"].pk,
    }


def _pinned(path: str, objects: dict) -> dict | None:
    for prefix, value in objects.items():
        if path.startswith(prefix):
            return {prefix.rsplit("{", 1)[1].rstrip("}"): value}
    return None


def _fuzz(app, headers: dict, world, *, methods=("GET", "POST", "PUT", "PATCH", "DELETE"), negative=False) -> list[str]:
    """Generated requests per operation: valid ones with random path values, valid ones on team A's
    real objects, and (negative=True) invalid bodies and parameters for the writes."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    objects = _real_objects(world)
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        if operation.path in SKIP or method not in methods:
            continue
        strategies = [operation.as_strategy()]
        pinned = _pinned(operation.path, objects)
        if pinned:
            strategies.append(operation.as_strategy(path_parameters=pinned))
        if negative and method != "GET":
            strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        for strategy in strategies:

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES[method],
                deadline=None,
                database=None,
                derandomize=SCALE == 1,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                with transaction.atomic():  # each request's writes are undone: every example meets the same world
                    try:
                        case.call_and_validate(headers=headers, checks=CHECKS)
                    finally:
                        transaction.set_rollback(True)

            try:
                check()
            except Unsatisfiable:  # nothing invalid can be said to this operation (no body, a free-form slug)
                continue
            except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every failing operation is listed
                problems.append(f"{method} {operation.path}: {failure}")
                break
    return problems


def _token(user) -> dict:
    return {"Authorization": f"Token {api_token_key(user)}"}


@pytest.mark.slow
def test_anonymous_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, {}, world, negative=True)
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_team_member_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["lead_a"]), world, negative=True)
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_member_of_another_team_reads_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["member_b"]), world, methods=("GET",))
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_admin_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["admin"]), world)
    assert not problems, "\n\n".join(problems)
