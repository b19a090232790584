"""Every HTML page (GET, from the resolver walk) given hostile query strings — a NUL character,
a digit int() refuses, a number too long to convert, a path, an injection — answers without a
5xx, for an anonymous visitor and an admin (who sees the most)."""
import pytest
from django.test import Client

from .matrix_support import route_url
from .routes import ADMIN, all_routes
from .test_route_matrix import EXPECTED

PARAMS = ("page", "task", "scale", "sort", "order", "q", "team", "provider", "gpu_type", "since", "until",
          "overrun", "export", "category", "categories", "tasks", "kind", "modality", "licence", "status", "next")
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
