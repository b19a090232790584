import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers it as a 400 with field errors.
    A value the database refuses to even compare (a NUL character in a slug, a number out of
    range) is bad input too: 400, not 500 (DRF's related fields only catch ValueError)."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DataError):
        logger.warning("API input refused by the database: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": [_("The input holds a value that cannot be stored.")]})
    return drf_exception_handler(exc, context)
