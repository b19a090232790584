"""The OpenAPI schema tells the whole truth about errors too: every operation documents the
error answers it can give (DRF's `{"detail": ...}` for 401/403/404/429, field errors for 400), so
a client generated from /api/schema/ — and the schemathesis run in tests/security — meets no
undocumented status code. Inputs say what the API enforces (ids, non-blank strings, non-empty lists,
JSON bodies) so that a generated request is one the API accepts, and `make fuzz` goes past validation."""

from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from core.api.ids import MAX_ID, IdFilter, is_id_lookup
from core.idempotency import HEADER
from core.permissions import can

DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": True},
    description="Invalid input: field name (or non_field_errors) → messages.",
)
ERRORS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(
        DETAIL,
        description="No credentials, or invalid or deactivated ones (sign in again; "
        "the WWW-Authenticate header names the scheme).",
    ),
    "403": OpenApiResponse(DETAIL, description="Signed in, but not allowed (core.permissions)."),
    "404": OpenApiResponse(DETAIL, description="Not found, or not visible to you."),
    "429": OpenApiResponse(DETAIL, description="Too many requests; retry after the Retry-After header."),
}
# Answered by the web server (gunicorn, a proxy) before the application, with no JSON body.
TOO_LONG = {"414": {"description": "The URL is longer than the web server reads (gunicorn: 4094 bytes)."}}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
NO_NUL = "^[^\\x00]*$"

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    OpenApiParameter.HEADER,
    description="A key of your choice (a UUID) that makes a retry safe: the same key with the same request "
    "gives the first answer again and writes nothing; kept 24 hours (core.idempotency).",
)
IDEMPOTENCY_ERRORS = {
    "409": OpenApiResponse(DETAIL, description="A request with this Idempotency-Key is still being processed."),
    "422": OpenApiResponse(DETAIL, description="This Idempotency-Key was already used for a different request."),
}


def _nullable_source(field) -> bool:
    """A read-only field that follows a nullable model relation (e.g. `decided_by`, or
    `allocation.organisation`) answers null: say so in the schema."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for attr in getattr(field, "source_attrs", []):
        try:
            model_field = model._meta.get_field(attr)
        except Exception:  # noqa: BLE001 - a property or method: nothing known about it
            return False
        if model_field.null:
            return True
        model = model_field.related_model
        if model is None:
            return False
    return False


def _input_constraints(field) -> dict:
    """What the API enforces on an input field and the schema did not say, so that a client (and
    the fuzzer) sends what is accepted: a non-blank string is at least one character, an id is a
    database id (core.api.ids), a slug that names an object is a non-empty slug."""
    if field.read_only:
        return {}
    if isinstance(field, serializers.ManyRelatedField):
        return {"items": _input_constraints(field.child_relation)} if _input_constraints(field.child_relation) else {}
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return {"minimum": 1, "maximum": MAX_ID}
    if isinstance(field, serializers.SlugRelatedField):
        return {"minLength": 1, "pattern": NO_NUL}
    constraints = {}
    if isinstance(field, serializers.CharField):
        if not field.allow_blank:
            constraints["minLength"] = max(1, field.min_length or 0)
        if not any(isinstance(v, RegexValidator) for v in field.validators):  # a slug, an email…: its own pattern
            constraints["pattern"] = NO_NUL  # DRF refuses a NUL character (PostgreSQL cannot hold one)
    if (
        isinstance(field, (serializers.ListField, serializers.ListSerializer, serializers.MultipleChoiceField))
        and not field.allow_empty
    ):
        constraints["minItems"] = 1
    return constraints


class PlatformAutoSchema(AutoSchema):
    def _idempotent(self) -> bool:
        """The operation's handler opted into Idempotency-Key (core.idempotency.idempotent)."""
        if self.method != "POST":
            return False
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        return getattr(handler, "idempotent", False)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._idempotent() else parameters

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and getattr(field, "read_only", False) and _nullable_source(field):
            meta["nullable"] = True
        if direction == "request":  # a stored value may be blank though no request may send one
            meta.update(_input_constraints(field))
        return meta

    def map_parsers(self):
        """Bodies are JSON. A view that reads uploads names its own parsers (multipart, form)."""
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def get_auth(self):
        """Anonymous callers may read what core.permissions lets anyone read: say so (`{}`)."""
        auths = super().get_auth()
        if {} not in auths and self._anyone_may_call():
            auths.append({})
        return auths

    def _anyone_may_call(self) -> bool:
        if self.method not in SAFE_METHODS:
            return False  # no API write is anonymous (core.api.permissions)
        if any(isinstance(p, IsAuthenticated) for p in self.view.get_permissions()):
            return False
        action = getattr(self.view, "read_action", None)
        return action is not None and can(AnonymousUser(), action)

    def _get_parameters(self):
        """An id in the path or in an id filter is a database id (core.api.ids); a page is 1 or more."""
        parameters = super()._get_parameters()
        lookup = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", "pk")
        lookup = "id" if lookup == "pk" else lookup  # drf-spectacular names the pk "id" in paths
        id_filters = {
            name
            for name, declared in getattr(getattr(self.view, "filterset_class", None), "declared_filters", {}).items()
            if isinstance(declared, IdFilter)
        }
        for parameter in parameters:
            name, place = parameter["name"], parameter["in"]
            if (place == "path" and name == lookup and is_id_lookup(self.view)) or (
                place == "query" and name in id_filters
            ):
                parameter["schema"] = dict(ID)
            elif place == "query" and name == "page" and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return parameters

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "answers_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = OpenApiResponse(DETAIL, description="A body in a content type the operation does not read.")
        if self._idempotent():
            errors.update(IDEMPOTENCY_ERRORS)
        for code, error in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error.response, code, direction=direction)
                responses[code]["description"] = error.description
        for code, answer in TOO_LONG.items():
            responses.setdefault(code, dict(answer))
        return responses
