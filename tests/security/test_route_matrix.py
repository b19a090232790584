"""The permission matrix, per route: every route of config.urls (found by walking the resolver) ×
every role × GET and the unsafe methods the route answers, with the outcome written down below.

A route added without a line here fails `test_every_route_has_a_written_decision`, naming it.
Parameters are filled with team A's objects (tests/security/conftest.py), so a "200" for
member_b or anonymous on a team-private route would be a leak. Writes are rolled back after
each request. HTML routes are asked GET and POST; API routes GET and what their view declares.

Every page or answer that anonymous or team B gets with 200 is also searched for team A's private
strings (an unpublished checkpoint name, a budget request's reason, a purchase title).

Outcomes: a status code, LOGIN (302 to the login page) or ADMIN_LOGIN (302 to the admin's).
For POSTs, 400 (API) or 302/200 (a page that re-renders or redirects with a message) means the
permission was granted and the (empty or matrix) input was then judged; 403/404 means refused.
An API route answers 401 (with WWW-Authenticate: Token) to a caller without credentials, and 403
only to a signed-in caller who lacks the right.
"""

import pytest

from .conftest import ROLES, SECRET
from .matrix_support import ADMIN_LOGIN, LOGIN, ask, client_for, outcome, post_data, route_url
from .routes import ADMIN, UNSAFE, all_routes

# route, method,                                    anonymous, viewer_a, member_a, lead_a, member_b, reviewer, admin
EXPECTED = [
    ("account", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("account", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("account-sessions-end-all", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    (
        "account-sessions-end-all",
        "POST",
        LOGIN,
        LOGIN,
        LOGIN,
        LOGIN,
        LOGIN,
        LOGIN,
        LOGIN,
    ),  # signed out: to the login page
    ("account-token-revoke", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("account-token-revoke", "POST", LOGIN, 404, 302, 404, 404, 404, 404),
    ("account-tokens", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("account-tokens", "POST", LOGIN, 200, 200, 200, 200, 200, 200),
    ("admin/*", "GET", ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    ("api-docs", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api-schema", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api-token", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api-token", "POST", 200, 200, 200, 200, 200, 200, 200),
    ("api:api-root", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:budget-allocation-give-back", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-allocation-give-back", "POST", 401, 403, 403, 403, 403, 403, 200),
    ("api:budget-allocation-list", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-allocation-list", "POST", 401, 403, 403, 403, 403, 403, 201),
    ("api:budget-allocation-release-unspent", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-allocation-release-unspent", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:budget-allocation-split", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-allocation-split", "POST", 401, 403, 403, 201, 403, 403, 201),
    ("api:budget-import-detail", "GET", 404, 404, 404, 404, 404, 404, 200),
    ("api:budget-import-list", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-import-list", "POST", 401, 415, 415, 415, 415, 415, 415),
    ("api:budget-rate-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:budget-request-approve", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-request-approve", "POST", 401, 403, 403, 403, 404, 403, 200),
    ("api:budget-request-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:budget-request-list", "POST", 401, 403, 403, 201, 403, 403, 403),
    ("api:budget-request-refuse", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:budget-request-refuse", "POST", 401, 403, 403, 403, 404, 403, 200),
    ("api:budget-summary-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:budget-usage-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:budget-usage-list", "POST", 401, 403, 403, 403, 403, 403, 201),
    ("api:checkpoint-detail", "GET", 401, 200, 200, 200, 404, 200, 200),
    ("api:checkpoint-list", "GET", 401, 200, 200, 200, 200, 200, 200),
    ("api:checkpoint-list", "POST", 401, 403, 201, 201, 403, 403, 403),
    ("api:data-entitlement-detail", "GET", 404, 200, 200, 200, 404, 200, 200),
    ("api:data-entitlement-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:data-entitlement-revoke", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:data-entitlement-revoke", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:data-provider-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:data-provider-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:data-purchase-detail", "GET", 404, 200, 200, 200, 404, 200, 200),
    ("api:data-purchase-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:data-purchase-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:dataset-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:dataset-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-charts", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-flags", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:leaderboard-snapshots", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:leaderboard-snapshots", "POST", 401, 403, 403, 403, 403, 403, 201),
    ("api:licence-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:licence-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:membership-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:membership-detail", "PATCH", 401, 403, 403, 403, 403, 403, 200),
    ("api:membership-detail", "DELETE", 401, 403, 403, 403, 403, 403, 400),
    ("api:membership-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:membership-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:organisation-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:organisation-detail", "PATCH", 401, 403, 403, 403, 403, 403, 200),
    ("api:organisation-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:organisation-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:originality-detail", "GET", 401, 200, 200, 200, 404, 200, 200),
    ("api:originality-list", "GET", 401, 200, 200, 200, 200, 200, 200),
    ("api:originality-reference-detail", "GET", 401, 403, 403, 403, 403, 403, 200),
    ("api:originality-reference-list", "GET", 401, 403, 403, 403, 403, 403, 200),
    ("api:originality-reference-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:reference-model-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:reference-model-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:run-cancel", "GET", 401, 405, 405, 405, 405, 405, 405),
    ("api:run-cancel", "POST", 401, 403, 400, 400, 404, 403, 400),
    ("api:run-detail", "GET", 401, 200, 200, 200, 404, 200, 200),
    ("api:run-list", "GET", 401, 200, 200, 200, 200, 200, 200),
    ("api:run-list", "POST", 401, 403, 201, 201, 400, 403, 201),
    ("api:run-samples", "GET", 401, 200, 200, 200, 404, 200, 200),
    ("api:snapshot-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-exclusions", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-exclusions", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-expert-scores", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-expert-scores", "POST", 401, 403, 403, 403, 403, 400, 403),
    ("api:stage-blockers", "GET", 401, 403, 403, 403, 403, 403, 200),
    ("api:stage-finalise", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-finalise", "POST", 401, 403, 403, 403, 403, 403, 200),
    ("api:stage-freeze", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-freeze", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-nominations", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-nominations", "POST", 401, 403, 403, 400, 400, 403, 403),
    ("api:stage-official-runs", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-official-runs", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-originality-gate", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-originality-gate", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-result", "GET", 404, 404, 404, 404, 404, 200, 200),
    ("api:stage-rubric", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:stage-rubric", "PUT", 401, 403, 403, 403, 403, 403, 400),
    ("api:stage-user-scores", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:stage-user-scores", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:suite-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:team-change-status", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:team-change-status", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:team-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:team-detail", "PATCH", 401, 403, 403, 403, 403, 403, 200),
    ("api:team-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:team-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:training-declaration-detail", "GET", 404, 200, 200, 200, 404, 200, 200),
    ("api:training-declaration-list", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:training-declaration-list", "POST", 401, 403, 201, 201, 404, 403, 201),
    ("budget-dashboard", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("budget-dashboard", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("budget-allocation-grant", "GET", LOGIN, 403, 403, 403, 403, 403, 200),
    ("budget-allocation-grant", "POST", LOGIN, 403, 403, 403, 403, 403, 200),
    ("budget-import", "GET", LOGIN, 403, 403, 403, 403, 403, 200),
    ("budget-import", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("budget-import-new", "GET", LOGIN, 404, 404, 404, 404, 404, 200),
    ("budget-import-new", "POST", LOGIN, 404, 404, 404, 404, 404, 200),
    ("budget-import-status", "GET", LOGIN, 403, 403, 403, 403, 403, 200),
    ("budget-import-status", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("budget-request-decide", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("budget-request-decide", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("budget-team", "GET", LOGIN, 200, 200, 200, 403, 200, 200),
    ("budget-team", "POST", LOGIN, 200, 200, 200, 403, 200, 200),
    ("budget-usage", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("budget-usage", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("checkpoint-detail", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("checkpoint-detail", "POST", LOGIN, 200, 200, 200, 404, 200, 200),
    ("checkpoint-list", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("checkpoint-list", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("checkpoint-submit", "GET", LOGIN, 200, 200, 200, 200, 403, 200),
    ("checkpoint-submit", "POST", LOGIN, 200, 200, 200, 200, 403, 200),
    ("data-catalogue", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("data-catalogue", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("data-checkpoint-declare", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-checkpoint-declare", "POST", LOGIN, 404, 302, 302, 404, 404, 302),
    ("data-dataset-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("data-dataset-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("data-entitlement-teams", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("data-entitlement-teams", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-export-csv", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("data-export-csv", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-export-xlsx", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("data-export-xlsx", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-providers", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("data-providers", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("data-purchase-create", "GET", LOGIN, 403, 403, 403, 403, 403, 200),
    ("data-purchase-create", "POST", LOGIN, 403, 403, 403, 403, 403, 200),
    ("data-purchase-detail", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("data-purchase-detail", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-purchases", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("data-purchases", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-spending", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("data-spending", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("data-team-entitlements", "GET", LOGIN, 200, 200, 200, 403, 200, 200),
    ("data-team-entitlements", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("healthz", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("healthz", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("leaderboard-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("leaderboard-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("leaderboard-export", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("leaderboard-export", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("leaderboard-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("leaderboard-list", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("leaderboard-publish", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("leaderboard-publish", "POST", 403, 403, 403, 403, 403, 403, 302),
    ("language-switch", "GET", 302, 302, 302, 302, 302, 302, 302),
    ("language-switch", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("login", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("login", "POST", 200, 200, 200, 200, 200, 200, 200),
    ("logout", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("logout", "POST", 302, 302, 302, 302, 302, 302, 302),
    ("organisation-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("organisation-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("overview", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("overview", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("password_change", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("password_change", "POST", LOGIN, 200, 200, 200, 200, 200, 200),
    ("password_change_done", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("password_change_done", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("password_reset", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset", "POST", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_complete", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_complete", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("password_reset_confirm", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_confirm", "POST", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_done", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_done", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("plotly-js", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("plotly-js", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("run-cancel", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("run-cancel", "POST", LOGIN, 403, 302, 302, 404, 403, 302),
    ("run-detail", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("run-detail", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("run-samples", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("run-samples", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("run-samples-export", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("run-samples-export", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("run-status", "GET", LOGIN, 200, 200, 200, 404, 200, 200),
    ("run-status", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("set_language", "GET", 302, 302, 302, 302, 302, 302, 302),
    ("set_language", "POST", 302, 302, 302, 302, 302, 302, 302),
    ("snapshot-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("snapshot-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("snapshot-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("snapshot-list", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("stage-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("stage-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("stage-exclude", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-exclude", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("stage-expert-scores", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("stage-expert-scores", "POST", LOGIN, 403, 403, 403, 403, 302, 403),
    ("stage-export", "GET", 404, 404, 404, 404, 404, 200, 200),
    ("stage-export", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("stage-finalise", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-finalise", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("stage-freeze", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-freeze", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("stage-gate-decide", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-gate-decide", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("stage-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("stage-list", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("stage-nominate", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-nominate", "POST", LOGIN, 403, 403, 302, 404, 403, 403),
    ("stage-report", "GET", 404, 404, 404, 404, 404, 200, 200),
    ("stage-rerun-official", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-rerun-official", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("stage-report", "POST", 405, 405, 405, 405, 405, 405, 405),
    ("stage-user-scores", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-user-scores", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("team-role-end", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("team-role-end", "POST", LOGIN, 403, 403, 302, 403, 403, 302),
    ("team-roles", "GET", LOGIN, 403, 403, 200, 403, 403, 200),
    ("team-roles", "POST", LOGIN, 403, 403, 200, 403, 403, 200),
    ("team-detail", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("team-detail", "POST", 405, 405, 405, 405, 405, 405, 405),
    # The arena: results and the panel for reviewers and admins, writes for admins; no matrix role sits on
    # a panel (a panel member's rows: tests/arena/test_permissions.py).
    ("api:arena-campaign-close", "GET", 401, 403, 403, 403, 403, 405, 405),
    ("api:arena-campaign-close", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:arena-campaign-detail", "GET", 401, 403, 403, 403, 403, 200, 200),
    ("api:arena-campaign-exclusions", "GET", 401, 403, 403, 403, 403, 405, 405),
    ("api:arena-campaign-exclusions", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:arena-campaign-judge", "GET", 401, 403, 403, 403, 403, 405, 405),
    ("api:arena-campaign-judge", "POST", 401, 403, 403, 403, 403, 403, 403),
    ("api:arena-campaign-list", "GET", 401, 403, 403, 403, 403, 200, 200),
    ("api:arena-campaign-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:arena-campaign-next", "GET", 401, 403, 403, 403, 403, 405, 405),
    ("api:arena-campaign-next", "POST", 401, 403, 403, 403, 403, 403, 403),
    ("api:arena-campaign-panel", "GET", 401, 403, 403, 403, 403, 200, 200),
    ("api:arena-campaign-panel", "POST", 401, 403, 403, 403, 403, 403, 400),
    ("api:arena-campaign-result", "GET", 401, 403, 403, 403, 403, 404, 404),
    ("api:arena-prompt-set-list", "GET", 401, 403, 403, 403, 403, 200, 200),
    ("api:arena-prompt-set-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    # Benchmark data snapshots: an operator's tool, programme admins only (a run's page names what it read).
    ("api:benchmark-data-detail", "GET", 401, 403, 403, 403, 403, 403, 200),
    ("api:benchmark-data-list", "GET", 401, 403, 403, 403, 403, 403, 200),
    ("api:benchmark-data-list", "POST", 401, 403, 403, 403, 403, 403, 400),
    # Private benchmarks: only a reviewer or admin given the benchmark-author role, which no matrix
    # role holds (an author's answers: tests/evaluation/test_private_benchmarks.py and the browser journey).
    ("api:private-benchmark-detail", "GET", 401, 403, 403, 403, 403, 403, 403),
    ("api:private-benchmark-list", "GET", 401, 403, 403, 403, 403, 403, 403),
    ("api:private-benchmark-list", "POST", 401, 403, 403, 403, 403, 403, 403),
    ("api:private-benchmark-preview", "GET", 401, 403, 403, 403, 403, 403, 403),
    ("api:private-benchmark-publish", "GET", 401, 403, 403, 403, 403, 403, 403),
    ("api:private-benchmark-publish", "POST", 401, 403, 403, 403, 403, 403, 403),
    ("private-benchmark", "GET", LOGIN, 403, 403, 403, 403, 403, 403),
    ("private-benchmark", "POST", LOGIN, 403, 403, 403, 403, 403, 403),
    ("private-benchmark-publish", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("private-benchmark-publish", "POST", LOGIN, 403, 403, 403, 403, 403, 403),
    ("private-benchmarks", "GET", LOGIN, 403, 403, 403, 403, 403, 403),
    ("private-benchmarks", "POST", LOGIN, 403, 403, 403, 403, 403, 403),
    ("benchmark-data", "GET", LOGIN, 403, 403, 403, 403, 403, 200),
    ("benchmark-data", "POST", LOGIN, 403, 403, 403, 403, 403, 200),
    ("arena-close", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-close", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-exclude", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-exclude", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-invite", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-invite", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-judge", "GET", LOGIN, 403, 403, 403, 403, 403, 403),
    ("arena-judge", "POST", LOGIN, 403, 403, 403, 403, 403, 403),
    ("arena-list", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("arena-list", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-campaign-new", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-campaign-new", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-prompt-set-upload", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-prompt-set-upload", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-recompute", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-recompute", "POST", LOGIN, 403, 403, 403, 403, 302, 302),
    ("arena-result", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("arena-retry-generation", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("arena-retry-generation", "POST", LOGIN, 403, 403, 403, 403, 403, 302),
    ("arena-result", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    # #17: notifications are one's own (the queries filter by recipient: marking another's marks nothing);
    # comparing checkpoints: anyone with a team or staff reaches the page, the pair is checked per checkpoint.
    ("notification-inbox", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("notification-inbox", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("notification-unread", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("notification-unread", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("notification-read", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("notification-read", "POST", LOGIN, 302, 302, 302, 302, 302, 302),
    ("notification-read-all", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("notification-read-all", "POST", LOGIN, 302, 302, 302, 302, 302, 302),
    ("notification-preferences", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("notification-preferences", "POST", LOGIN, 302, 302, 302, 302, 302, 302),
    ("api:notification-list", "GET", 401, 200, 200, 200, 200, 200, 200),
    ("checkpoint-compare", "GET", LOGIN, 200, 200, 200, 200, 200, 200),
    ("checkpoint-compare", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("api:comparison-list", "GET", 401, 400, 400, 400, 400, 400, 400),  # a and b missing
    # --- #17: conflicts of interest, objections, the audit log ---
    ("conflicts", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("conflicts", "POST", LOGIN, 403, 403, 403, 403, 200, 200),  # no team: the page says so
    ("stage-objections", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("stage-objections", "POST", LOGIN, 403, 403, 200, 403, 403, 403),  # lead: "not finalised yet"
    ("stage-objection-answer", "GET", LOGIN, 405, 405, 405, 405, 405, 405),
    ("stage-objection-answer", "POST", LOGIN, 403, 403, 403, 403, 302, 302),
    ("audit-log", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("audit-log", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("audit-export", "GET", LOGIN, 403, 403, 403, 403, 200, 200),
    ("audit-export", "POST", LOGIN, 405, 405, 405, 405, 405, 405),
    ("api:objection-list", "GET", 200, 200, 200, 200, 200, 200, 200),
    ("api:objection-list", "POST", 401, 403, 403, 400, 403, 403, 403),  # lead: not finalised
    ("api:objection-detail", "GET", 404, 200, 200, 200, 404, 200, 200),  # open: team A and staff
    ("api:objection-answer", "GET", 405, 405, 405, 405, 405, 405, 405),
    ("api:objection-answer", "POST", 401, 403, 403, 403, 403, 400, 400),
    ("api:conflict-list", "GET", 401, 403, 403, 403, 403, 200, 200),
    ("api:conflict-list", "POST", 401, 403, 403, 403, 403, 400, 400),
]


def _required_methods(route) -> list[str]:
    if route.name == ADMIN:
        return ["GET"]
    declared = route.drf_methods()
    if declared is None:  # a Django view: GET, and POST (405 where it only reads)
        return ["GET", "POST"]
    return ["GET", *[m for m in UNSAFE if m in declared]]


def test_every_route_has_a_written_decision():
    written = {(route, method) for route, method, *_ in EXPECTED}
    routes = all_routes()
    missing = [
        f"{route.name} {method}  ({route.pattern})"
        for route in routes
        for method in _required_methods(route)
        if (route.name, method) not in written
    ]
    assert not missing, "Routes without a written decision in tests/security/test_route_matrix.py:\n" + "\n".join(
        missing
    )
    stale = sorted({name for name, _method in written} - {route.name for route in routes})
    assert not stale, f"Decisions for routes that no longer exist: {stale}"
    assert all(len(row) == 2 + len(ROLES) for row in EXPECTED)


@pytest.mark.slow
def test_every_route_answers_every_role_as_written(world):
    routes = {route.name: route for route in all_routes()}
    wrong = []
    for name, method, *expected in EXPECTED:
        route = routes[name]
        url = route_url(route, world)
        for role, want in zip(ROLES, expected, strict=True):
            client = client_for(world["users"][role])  # a fresh session: logout must not end the next cell's
            response = ask(client, method, url, is_api=route.is_api, data=post_data(route, world))
            got = outcome(response)
            if got != want:
                wrong.append(f"{name} {method} as {role}: expected {want}, got {got}")
            if role in ("anonymous", "member_b") and got == 200 and not response.streaming:
                body = response.content.decode("utf-8", "replace")
                wrong += [
                    f"{name} {method} shows {role} team A's {what}" for what, secret in SECRET.items() if secret in body
                ]
    assert not wrong, "\n".join(wrong)


# A page and the API route that shows the same object (#18: "one answer per right").
TWINS = [
    ("checkpoint-list", "api:checkpoint-list"),
    ("checkpoint-detail", "api:checkpoint-detail"),
    ("run-detail", "api:run-detail"),
    ("run-samples", "api:run-samples"),
    ("data-purchase-detail", "api:data-purchase-detail"),
    ("data-dataset-detail", "api:dataset-detail"),
    ("leaderboard-detail", "api:leaderboard-detail"),
    ("leaderboard-list", "api:leaderboard-list"),
    ("stage-detail", "api:stage-detail"),
    ("stage-report", "api:stage-result"),
    ("team-detail", "api:team-detail"),
    ("organisation-detail", "api:organisation-detail"),
]


def test_html_and_api_give_one_answer():
    """For every role, a page and its API twin both allow reading (200) or both refuse."""
    reads = {name: expected for name, method, *expected in EXPECTED if method == "GET"}
    differ = [
        f"{page} / {api} as {role}: {page_answer} vs {api_answer}"
        for page, api in TWINS
        for role, page_answer, api_answer in zip(ROLES, reads[page], reads[api], strict=True)
        if (page_answer == 200) != (api_answer == 200)
    ]
    assert not differ, "\n".join(differ)
