"""What the fuzzing and the route matrix found, pinned one by one (each failed before its fix)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_posted_ids_that_are_not_numbers_are_not_found_not_500(world, client):
    client.force_login(world["users"]["admin"])
    stage = world["stage"].slug
    assert client.post(f"/stages/{stage}/exclude/", {"team": "abc", "reason": "x"}).status_code == 404
    assert client.post(f"/stages/{stage}/exclude/", {"team": "9" * 30, "reason": "x"}).status_code == 404
    client.force_login(world["users"]["lead_a"])
    assert client.post(f"/stages/{stage}/nominate/", {"checkpoint": "²"}).status_code == 404


def test_a_page_number_int_refuses_is_page_one(world, client):
    client.force_login(world["users"]["lead_a"])
    for page in ("²", "9" * 5000):
        assert client.get(f"/evaluation/runs/{world['run'].pk}/samples/", {"page": page}).status_code == 200


def test_refusing_a_request_asks_for_the_admin_before_the_note(world):
    response = _api(world["users"]["lead_a"]).post(
        f"/api/budget/requests/{world['budget_request'].pk}/refuse/", {}, format="json"
    )
    assert response.status_code == 403


def test_a_nul_character_in_a_slug_is_a_400(world):
    response = _api(world["users"]["admin"]).post(
        "/api/budget/usage/", {"provider": "cloud\x00x", "lines": []}, format="json"
    )
    assert response.status_code == 400


def test_anonymous_api_writes_are_refused_before_the_input_is_read():
    response = APIClient().post("/api/budget/allocations/", {}, format="json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_an_unknown_api_url_answers_json(db):
    response = APIClient().get("/api/training-declarations/-1/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_another_teams_checkpoint_is_not_found_on_nominations(world):
    response = _api(world["users"]["member_b"]).post(
        f"/api/stages/{world['stage'].slug}/nominations/", {"checkpoint": world["checkpoint"].pk}, format="json"
    )
    assert response.status_code == 400 and "checkpoint" in response.json()


def test_the_schema_says_what_the_api_answers(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    summary = schema["paths"]["/api/budget/summary/"]["get"]["responses"]
    assert summary["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Summary"}
    assert {"400", "403", "404", "429"} <= set(schema["paths"]["/api/runs/"]["post"]["responses"])
    assert schema["components"]["schemas"]["Request"]["properties"]["decided_by"].get("nullable") is True


def test_a_non_numeric_id_on_a_hand_looked_up_route_is_not_found(world):
    admin = _api(world["users"]["admin"])
    assert admin.post("/api/budget/requests/x/approve/", {}, format="json").status_code == 404
    assert (
        admin.post("/api/budget/allocations/x/return/", {"amount_krw": 1, "reason": "r"}, format="json").status_code
        == 404
    )


def test_plain_list_actions_are_documented_as_plain_lists(db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/leaderboards/{slug}/snapshots/",
        "/api/stages/{slug}/nominations/",
        "/api/stages/{slug}/expert-scores/",
    ):
        assert paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"


def test_a_format_suffix_is_not_found_not_500(world):
    client = _api(world["users"]["admin"])
    for path in ("/api/suites.json", "/api/leaderboards/main.json/", f"/api/stages/{world['stage'].slug}.json/"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path


def test_the_token_endpoint_answers_a_json_list_with_400(db):
    assert APIClient().post("/api/auth/token/", [{}, []], format="json").status_code == 400


def test_a_nul_character_in_a_page_form_is_a_400(world, client):
    client.force_login(world["users"]["admin"])
    before = world["leaderboard"].snapshots.count()
    response = client.post(f"/leaderboards/{world['leaderboard'].slug}/publish/", {"note": "a\x00b"})
    assert response.status_code == 400
    assert world["leaderboard"].snapshots.count() == before


# Issue #23: the schemathesis command line against a live server found these seven 500s.


def test_a_malformed_snapshot_id_is_not_found_not_500(world):
    response = APIClient().get("/api/snapshots/null,null/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_an_id_too_large_for_the_database_is_not_found_not_500(world):
    """SQLite (`make run`'s default) raised OverflowError; PostgreSQL compared it as a numeric: the id
    must not reach the database at all."""
    huge = "28708404998012275518834988114589515776"
    with CaptureQueriesContext(connection) as queries:
        response = _api(world["users"]["lead_a"]).get(f"/api/originality/{huge}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert not [q["sql"] for q in queries if huge in q["sql"]]


def test_a_filter_value_out_of_the_id_range_is_a_400_not_500(world):
    response = _api(world["users"]["lead_a"]).get(
        "/api/originality/", {"checkpoint": "-7.210040869764174e+46", "page": "202484850"}
    )
    assert response.status_code == 400 and "checkpoint" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/budget/allocations/",
        "/api/budget/allocations/split/",
        "/api/budget/allocations/release-unspent/",
        "/api/budget/allocations/0/return/",
    ],
)
def test_options_on_the_allocation_routes_answers_for_a_member_firm(world, path):
    response = _api(world["users"]["lead_a"]).options(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "POST" in response["Allow"]


# Found by `make fuzz` (issue #23) after the seven above.


def test_head_on_a_get_and_post_action_reads_it_does_not_write(world):
    """HEAD took the POST branch of GET+POST actions: a 400, or with a valid body, a write."""
    lead, admin = _api(world["users"]["lead_a"]), _api(world["users"]["admin"])
    stage, leaderboard = world["stage"].slug, world["leaderboard"].slug
    before = world["leaderboard"].snapshots.count()
    assert lead.head(f"/api/stages/{stage}/nominations/").status_code == 200
    assert lead.head(f"/api/stages/{stage}/expert-scores/").status_code == 200
    assert admin.head(f"/api/leaderboards/{leaderboard}/snapshots/", {"note": "x"}).status_code == 200
    assert world["leaderboard"].snapshots.count() == before


def test_a_view_option_the_table_does_not_know_is_a_400(world):
    client = _api(world["users"]["lead_a"])
    for path in (
        f"/api/leaderboards/{world['leaderboard'].slug}/",
        f"/api/leaderboards/{world['leaderboard'].slug}/charts/",
        f"/api/snapshots/{world['snapshot'].pk}/",
    ):
        assert client.get(path, {"scale": "AAA"}).status_code == 400, path
        assert client.get(path, {"order": "up"}).status_code == 400, path
        assert client.get(path, {"scale": "raw", "order": "desc"}).status_code == 200, path


def test_reference_models_of_an_unknown_suite_version_are_an_empty_list(world):
    response = _api(world["users"]["admin"]).get("/api/reference-models/", {"suite_version": 10**17})
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_schema_states_the_constraints_the_api_enforces(db):
    from drf_spectacular.generators import SchemaGenerator

    from core.api.ids import MAX_ID

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths, components = schema["paths"], schema["components"]["schemas"]
    identifier = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    snapshot = paths["/api/snapshots/{id}/"]["get"]
    assert [p["schema"] for p in snapshot["parameters"] if p["name"] == "id"] == [identifier]
    originality = {p["name"]: p["schema"] for p in paths["/api/originality/"]["get"]["parameters"]}
    assert originality["checkpoint"] == identifier and originality["page"]["minimum"] == 1
    grant = components["GrantRequest"]["properties"]
    assert grant["envelope"] == identifier and grant["team"]["minLength"] == 1 and grant["reason"]["minLength"] == 1
    # Bodies are JSON (a nested body cannot be sent as a form); uploads stay multipart.
    assert list(paths["/api/budget/allocations/"]["post"]["requestBody"]["content"]) == ["application/json"]
    assert "multipart/form-data" in paths["/api/budget/imports/"]["post"]["requestBody"]["content"]
    # What anyone may read says so; what needs a sign-in does not.
    assert {} in paths["/api/leaderboards/"]["get"]["security"]
    assert {} not in paths["/api/originality/"]["get"]["security"]
    assert {} not in paths["/api/budget/allocations/"]["post"]["security"]


def test_a_reference_path_with_a_name_too_long_for_the_file_system_is_a_400(world):
    """Found by `make fuzz`: Path.is_dir() raised OSError (ENAMETOOLONG) in reference_register."""
    response = _api(world["users"]["admin"]).post(
        "/api/originality-references/", {"name": "long", "path": "0" * 900}, format="json"
    )
    assert response.status_code == 400 and "path" in response.json()


def test_a_run_filter_past_the_id_range_is_a_400_not_500(world):
    """Like the originality filter: SQLite overflowed on an integer past 2**63."""
    response = _api(world["users"]["member_a"]).get("/api/runs/", {"checkpoint": "9" * 40})
    assert response.status_code == 400 and "checkpoint" in response.json()
