"""CSRF on every HTML form: every HTML route that takes a POST (from the same resolver walk as the
permission matrix) refuses one without a token (403), even from a signed-in admin."""

import pytest
from django.test import Client

from .matrix_support import route_url
from .routes import ADMIN, all_routes
from .test_route_matrix import EXPECTED

# Routes whose POST the matrix says is answered (not 405) for someone.
POSTED = sorted({name for name, method, *cells in EXPECTED if method == "POST" and any(c != 405 for c in cells)})


def test_every_html_post_route_refuses_a_request_without_a_token(world):
    html = [route for route in all_routes() if not route.is_api and route.name != ADMIN and route.name in POSTED]
    assert {"login", "logout", "stage-finalise", "budget-import-new"} <= {r.name for r in html}
    refused, accepted = [], []
    for route in html:
        for role in ("anonymous", "admin"):
            client = Client(enforce_csrf_checks=True)
            if role == "admin":
                client.force_login(world["users"]["admin"])
            status = client.post(route_url(route, world), {}).status_code
            (refused if status == 403 else accepted).append(f"{route.name} as {role}: {status}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/auth/group/add/"])
def test_admin_forms_need_a_token(world, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["admin"])
    assert client.post(path, {}).status_code == 403
