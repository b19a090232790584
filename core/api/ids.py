"""Ids in API URLs and query strings: ASCII digits within the range of a database id.

A BigAutoField holds ids up to 2**63 - 1; no id of this platform comes near 10**18, so an id
is 1 to 18 digits. A longer number, a negative one, or one that is not a number is refused
before any query (404 in a path, 400 in a filter): SQLite raises OverflowError on an integer
past 2**63, and Django raises ValueError on "null,null", both 500s."""

import django_filters
from django import forms

MAX_ID = 10**18 - 1
ID_PATTERN = "[0-9]{1,18}"  # not \d: that also matches other scripts' digits


def is_id_lookup(viewset) -> bool:
    """Does the viewset look one object up by a database id (pk, id or a foreign key's *_id)?"""
    field = getattr(viewset, "lookup_field", "pk")
    return field in ("pk", "id") or field.endswith("_id")


class IdFilter(django_filters.NumberFilter):
    """A query-string filter on an id: a whole number from 1 to MAX_ID, else 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
