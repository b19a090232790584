"""How the permission matrix asks one route: fill its parameters with team A's objects, send the
request as one role, and name the outcome the way the table writes it."""

import json

from django.db import transaction
from django.test import Client
from django.urls import reverse

from .routes import ADMIN, Route

LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin site's login page


def route_kwargs(route: Route, world) -> dict:
    """Team A's object for each parameter of the route."""
    name = route.name
    if not route.params:
        return {}
    if name == "language-switch":
        return {"code": "en"}
    if name == "plotly-js":
        from core.plotly_js import PLOTLY_VERSION

        return {"version": PLOTLY_VERSION}
    if name in {"leaderboard-export", "stage-export"}:
        base = {"slug": world["leaderboard" if name.startswith("leaderboard") else "stage"].slug}
        return base | {"fmt": "csv"}
    if name == "team-role-end":
        return {"slug": world["team_a"].slug, "pk": world["team_role"].pk}
    if name == "password_reset_confirm":
        return {"uidb64": "MQ", "token": "set-password"}  # not a valid link: the page says so
    if name == "notification-read":  # team A's lead was told the stage opened
        from notifications.models import Notification

        return {"pk": Notification.objects.filter(recipient=world["users"]["lead_a"]).first().pk}
    if name == "stage-objection-answer":
        return {"slug": world["stage"].slug, "pk": world["objection"].pk}
    if name == "snapshot-detail":
        return {"slug": world["leaderboard"].slug, "pk": world["snapshot"].pk}
    by_name = {
        "team-detail": world["team_a"].slug,
        "organisation-detail": world["organisation_a"].slug,
        "budget-team": world["team_a"].slug,
        "data-team-entitlements": world["team_a"].slug,
        "budget-import": world["usage_import"].pk,
        "budget-import-status": world["usage_import"].pk,
        "budget-request-decide": world["budget_request"].pk,
        "checkpoint-detail": world["checkpoint"].pk,
        "data-checkpoint-declare": world["checkpoint"].pk,
        "run-detail": world["run"].pk,
        "run-status": world["run"].pk,
        "run-cancel": world["run"].pk,
        "run-samples": world["run"].pk,
        "run-samples-export": world["run"].pk,
        "data-dataset-detail": world["dataset"].slug,
        "data-purchase-detail": world["purchase"].pk,
        "team-roles": world["team_a"].slug,
        "account-token-revoke": world["token"].pk,
        "leaderboard-detail": world["leaderboard"].slug,
        "leaderboard-publish": world["leaderboard"].slug,
        "snapshot-list": world["leaderboard"].slug,
        "api:team-detail": world["team_a"].slug,
        "api:team-change-status": world["team_a"].slug,
        "api:organisation-detail": world["organisation_a"].slug,
        "api:membership-detail": world["membership"].pk,
        "api:checkpoint-detail": world["checkpoint"].pk,
        "api:originality-detail": world["checkpoint"].pk,
        "api:run-detail": world["run"].pk,
        "api:run-cancel": world["run"].pk,
        "api:run-samples": world["run"].pk,
        "api:snapshot-detail": world["snapshot"].pk,
        "api:benchmark-data-detail": world["benchmark_snapshot"].pk,
        "api:private-benchmark-detail": world["private_benchmark"].slug,
        "api:private-benchmark-preview": world["private_benchmark"].slug,
        "api:private-benchmark-publish": world["private_benchmark"].slug,
        "private-benchmark": world["private_benchmark"].slug,
        "private-benchmark-publish": world["private_benchmark"].slug,
        "api:budget-allocation-give-back": world["team_a_allocation"].pk,
        "api:budget-import-detail": world["usage_import"].pk,
        "api:budget-request-approve": world["budget_request"].pk,
        "api:budget-request-refuse": world["budget_request"].pk,
        "api:data-entitlement-detail": world["entitlement"].pk,
        "api:data-entitlement-revoke": world["entitlement"].pk,
        "api:data-provider-detail": world["data_provider"].slug,
        "api:dataset-detail": world["dataset"].slug,
        "api:data-purchase-detail": world["purchase"].pk,
        "api:licence-detail": world["licence"].slug,
        "api:originality-reference-detail": world["reference"].pk,
        "api:training-declaration-detail": world["checkpoint"].pk,  # the checkpoint id
        "api:objection-detail": world["objection"].pk,
        "api:objection-answer": world["objection"].pk,
    }
    if name in by_name:
        return {route.params[0]: by_name[name]}
    if name.startswith(("api:leaderboard-", "leaderboard-")):
        return {"slug": world["leaderboard"].slug}
    if name.startswith(("api:stage-", "stage-")):
        return {"slug": world["stage"].slug}
    if name.startswith(("api:arena-campaign-", "arena-")):
        from tests.arena.world import arena_campaign

        return {"slug": arena_campaign(world).slug}
    raise AssertionError(f"{name}: say which of team A's objects fills {route.params} (matrix_support.route_kwargs)")


def route_url(route: Route, world) -> str:
    if route.name == ADMIN:
        return "/admin/"
    return reverse(route.name, kwargs=route_kwargs(route, world))


def client_for(user, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    if user.is_authenticated:
        client.force_login(user)
    return client


def outcome(response) -> object:
    """The status code, or LOGIN / ADMIN_LOGIN for a redirect to a login page."""
    if response.status_code == 302:
        location = response.headers.get("Location", "")
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return LOGIN
    return response.status_code


def post_data(route: Route, world) -> dict:
    """What a form or API call of the route carries, where an empty one would stop before the permission
    question is asked (team A's objects, so the answer is about the role, not about bad input)."""
    team, envelope = world["team_a"].slug, world["envelope"].pk
    return {
        "api-token": {"username": "plain-member-a", "password": "pw-for-tests-only"},
        "api:budget-allocation-list": {"envelope": envelope, "team": team, "amount_krw": 1000, "reason": "matrix"},
        "api:budget-allocation-split": {
            "envelope": envelope,
            "team": team,
            "amount_krw": 1000,
            "reason": "matrix",
            "organisation": world["users"]["member_a"].organisation.slug,
        },
        "api:budget-allocation-give-back": {"amount_krw": 1000, "reason": "matrix"},
        "api:budget-allocation-release-unspent": {"team": team, "reason": "matrix"},
        "api:budget-request-list": {"envelope": envelope, "team": team, "amount_krw": 1000, "reason": "matrix"},
        "api:budget-usage-list": {
            "provider": world["gpu_provider"].slug,
            "lines": [
                {
                    "job_id": "1",
                    "account": "acct-a",
                    "gpu_type": "h100",
                    "gpu_count": 1,
                    "started_at": "2025-09-01T10:00:00Z",
                    "ended_at": "2025-09-01T11:00:00Z",
                }
            ],
        },
        "api:checkpoint-list": {"team": team, "name": "matrix", "source": "matrix"},
        "api:run-list": {"checkpoint": world["checkpoint"].pk, "suite": world["suite_version"].suite.slug},
        "api:training-declaration-list": {
            "checkpoint": world["checkpoint"].pk,
            "releases_openly": False,
            "items": [{"dataset": world["dataset"].slug, "trained_from": "2025-02-01", "trained_until": "2025-03-01"}],
        },
        "stage-nominate": {"checkpoint": world["checkpoint"].pk},
        "stage-exclude": {"team": world["team_a"].pk, "reason": "matrix"},
        "stage-rerun-official": {"team": world["team_a"].pk, "reason": "matrix"},
        "stage-gate-decide": {"team": world["team_a"].pk, "decision": "cleared", "reason": "matrix"},
        "budget-request-decide": {"decision": "refuse", "note": "matrix"},
        "api:budget-request-refuse": {"note": "matrix"},
        "api:stage-nominations": {"checkpoint": world["checkpoint"].pk},
        "stage-objections": {"team": world["team_a"].pk, "text": "matrix"},
        "api:objection-list": {"stage": world["stage"].slug, "team": team, "text": "matrix"},
    }.get(route.name, {})


def ask(client: Client, method: str, url: str, *, is_api: bool, data=None):
    """One request whose writes are rolled back, so every cell sees the same world."""
    with transaction.atomic():
        if is_api and method != "GET":
            response = client.generic(method, url, data=json.dumps(data or {}), content_type="application/json")
        elif method == "POST":
            response = client.post(url, data or {})
        else:
            response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    return response
