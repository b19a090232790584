"""The OpenAPI schema tells the whole truth about errors too: every operation documents the
error answers it can give (DRF's `{"detail": ...}` for 401/403/404/429, field errors for 400), so
a client generated from /api/schema/ — and the schemathesis run in tests/security — meets no
undocumented status code."""
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from core.idempotency import HEADER

DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": True},
    description="Invalid input: field name (or non_field_errors) → messages.")
ERRORS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(DETAIL, description="No credentials, or invalid or deactivated ones (sign in again; "
                                                "the WWW-Authenticate header names the scheme)."),
    "403": OpenApiResponse(DETAIL, description="Signed in, but not allowed (core.permissions)."),
    "404": OpenApiResponse(DETAIL, description="Not found, or not visible to you."),
    "429": OpenApiResponse(DETAIL, description="Too many requests; retry after the Retry-After header."),
}

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER, {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"}, OpenApiParameter.HEADER,
    description="A key of your choice (a UUID) that makes a retry safe: the same key with the same request "
                "gives the first answer again and writes nothing; kept 24 hours (core.idempotency).")
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
        return meta

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
        return responses
