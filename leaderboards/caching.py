"""Computed leaderboard tables, cached under the viewer's input fingerprint.

The key holds `Leaderboard.view_version` (selectors.leaderboard_for_viewer: the viewer's scope
and a fingerprint of every input their table is computed from), the query string and the
language. A new run, reference score, snapshot or nomination changes the fingerprint, so a
cached table is never stale and never crosses from one scope to another. The cache is Django's
default (per process); nothing needs to invalidate it.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language

CACHE_SECONDS = 600


def cached(kind: str, leaderboard, query, build):
    fingerprint = repr((kind, leaderboard.pk, leaderboard.view_version, sorted(query.lists()), get_language()))
    key = "leaderboard:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value
