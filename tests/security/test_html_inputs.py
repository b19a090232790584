"""Every HTML page (GET, from the resolver walk) given hostile query strings — a NUL character,
a digit int() refuses, a number too long to convert, a path, an injection — answers without a
5xx, for an anonymous visitor and an admin (who sees the most)."""

import pytest
from django.db import transaction
from django.test import Client

from .matrix_support import route_url
from .routes import ADMIN, all_routes
from .test_route_matrix import EXPECTED

PARAMS = (
    "page",
    "task",
    "scale",
    "sort",
    "order",
    "q",
    "team",
    "provider",
    "gpu_type",
    "since",
    "until",
    "overrun",
    "export",
    "category",
    "categories",
    "tasks",
    "kind",
    "modality",
    "licence",
    "status",
    "next",
)
VALUES = ("\x00", "²", "9" * 5000, "-1", "' OR 1=1 --", "2025-13-45")


@pytest.mark.slow
def test_hostile_query_strings_never_answer_5xx(world):
    readable = {name for name, method, *cells in EXPECTED if method == "GET" and any(c == 200 for c in cells)}
    routes = [r for r in all_routes() if r.name in readable and not r.is_api and r.name != ADMIN]
    clients = {"anonymous": Client(), "admin": Client()}
    clients["admin"].force_login(world["users"]["admin"])
    failures = []
    for route in routes:
        url = route_url(route, world)
        for value in VALUES:
            for role, client in clients.items():
                status = client.get(url, {name: value for name in PARAMS}).status_code
                if status >= 500:
                    failures.append(f"{route.name} as {role} with {value[:20]!r}: {status}")
    assert not failures, "\n".join(failures)


FORM_VALUES = ("\x00", "²", "9" * 40, "-1", "' OR 1=1 --")
COMMON_FIELDS = ("team", "checkpoint", "reason", "note", "decision", "suite", "provider", "amount_krw", "submit")


@pytest.mark.slow
def test_hostile_form_values_never_answer_5xx(world):
    """Every HTML POST route, as the team lead and as an admin, with each hostile value in every field
    its page's form names (plus the usual ones for routes that only take a POST)."""
    import re

    posted = {name for name, method, *cells in EXPECTED if method == "POST" and any(c not in (405,) for c in cells)}
    routes = [r for r in all_routes() if r.name in posted and not r.is_api and r.name not in ("logout", ADMIN)]
    failures = []
    for role in ("lead_a", "admin"):
        client = Client()
        client.force_login(world["users"][role])
        for route in routes:
            url = route_url(route, world)
            page = client.get(url)
            fields = set(COMMON_FIELDS)
            if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
                fields |= set(re.findall(r'name="([^"]+)"', page.content.decode())) - {"csrfmiddlewaretoken"}
            for value in FORM_VALUES:
                with transaction.atomic():
                    status = client.post(url, {name: value for name in fields}).status_code
                    transaction.set_rollback(True)
                if status >= 500:
                    failures.append(f"{route.name} as {role} with {value[:20]!r}: {status}")
    assert not failures, "\n".join(failures)
