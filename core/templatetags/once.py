import uuid

from django import template
from django.utils.html import format_html

from core.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def once_token():
    """{% once_token %} inside a form that moves money: a hidden one-time token, so that a double
    click (or a reload of the POST) does the write once (core.idempotency.submit_once)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)
