"""Every /api/ answer that is an error is JSON, with DEBUG on or off; OPTIONS and HEAD answer on every
API route for every role (never a 500)."""

import pytest
from django.test import override_settings

from .conftest import ROLES
from .matrix_support import client_for, route_url
from .routes import all_routes

API_ROUTES = [route for route in all_routes() if route.is_api and route.name not in {"api-docs", "api-schema"}]


@pytest.mark.parametrize("role", ROLES)
def test_options_and_head_answer_on_every_api_route(world, role):
    client = client_for(world["users"][role])
    problems = []
    for route in API_ROUTES:
        url = route_url(route, world)
        options = client.options(url)
        if options.status_code >= 500 or options["Content-Type"] != "application/json":
            problems.append(f"OPTIONS {url}: {options.status_code} {options['Content-Type']}")
        elif options.status_code == 200 and "OPTIONS" not in options["Allow"]:
            problems.append(f"OPTIONS {url}: Allow is {options['Allow']}")
        head = client.head(url)
        if head.status_code >= 500:
            problems.append(f"HEAD {url}: {head.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/no-such-thing/",
        "/api/snapshots/null,null/",
        "/api/runs/-1/",
        "/api/originality/28708404998012275518834988114589515776/",
        "/api/budget/allocations/x/return/",
    ],
)
def test_an_unknown_api_url_is_json_with_debug_on_or_off(world, client, debug, path):
    client.force_login(world["users"]["admin"])
    with override_settings(DEBUG=debug):
        response = client.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json", response.content[:200]
    assert response.json()["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_disallowed_host_on_the_api_is_a_json_400(db, client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/suites/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_on_the_api_is_json(db, client, debug, monkeypatch):
    from budget.api import views

    def crash(**_):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.selectors, "envelope_current", crash)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get("/api/budget/summary/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "a bug" not in response.content.decode()


def test_pages_outside_the_api_keep_their_html_errors(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
