"""schemathesis against /api/schema/ (drf-spectacular), in process through the WSGI app, on the test
PostgreSQL database with team A's world seeded: for each role, every operation gets generated
requests (reads and writes), and every response must be no 5xx, have a documented status code,
and a body that matches its documented schema. The examples per operation are bounded so the
whole module stays near a minute."""
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {"GET": 6, "POST": 6, "PUT": 4, "PATCH": 4, "DELETE": 3}
# The token endpoint would log the fuzzer in or out of nothing useful; it is covered by the throttling tests.
SKIP = {"/api/auth/token/"}


@pytest.fixture
def in_process_wsgi():
    """The test's transaction must survive each request: Django's own test client disconnects
    close_old_connections the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _fuzz(app, headers: dict, *, methods=("GET", "POST", "PUT", "PATCH", "DELETE")) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIP or operation.method.upper() not in methods:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES[operation.method.upper()], deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            with transaction.atomic():  # each request's writes are undone: every example meets the same world
                try:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                finally:
                    transaction.set_rollback(True)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every failing operation is listed
            problems.append(f"{operation.method.upper()} {operation.path}: {failure}")
    return problems


def _token(user) -> dict:
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.mark.slow
def test_anonymous_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, {})
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_team_member_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["lead_a"]))
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_member_of_another_team_reads_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["member_b"]), methods=("GET",))
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_admin_requests_get_documented_answers(world, in_process_wsgi):
    problems = _fuzz(in_process_wsgi, _token(world["users"]["admin"]))
    assert not problems, "\n\n".join(problems)
