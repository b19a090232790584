"""Every route of config.urls, found by walking the resolver (what a new `path()` adds shows up
here by itself). A route is named by its URL name, "namespace:name"; the admin site is one
route, "admin/*", because every admin page asks core.permissions through one site class."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

ADMIN = "admin/*"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # the full pattern, for messages
    callback: object
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:") or self.name in {"api-token", "api-schema", "api-docs"}

    def drf_methods(self) -> set[str] | None:
        """The HTTP methods a DRF view answers (None for a plain Django view)."""
        view_class = getattr(self.callback, "cls", None)
        if view_class is None:
            return None
        actions = getattr(self.callback, "actions", None)
        if actions:  # a viewset bound to {method: action}
            return {method.upper() for method in actions}
        return {
            m.upper() for m in view_class.http_method_names if hasattr(view_class, m) and m not in ("options", "head")
        }


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                yield ADMIN, route, entry, ()
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            if "(?P<format>" in route:  # DRF's format-suffix twin of a route: the same view
                continue
            params = tuple(entry.pattern.regex.groupindex)
            yield f"{namespace}{entry.name}" if entry.name else route, route, entry.callback, params


def all_routes() -> list[Route]:
    routes: dict[str, Route] = {}
    for name, pattern, callback, params in _walk(get_resolver().url_patterns):
        routes.setdefault(name, Route(name, pattern, callback, params))
    return sorted(routes.values(), key=lambda r: r.name)
