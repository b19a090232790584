"""Failed sign-ins, counted in the cache per (username, address): after LOGIN_MAX_FAILURES within
LOGIN_FAILURE_WINDOW_S that pair is locked until the window ends. Every way of signing in (the
login page, the admin's, /api/auth/token/) goes through accounts.backends.LimitedModelBackend,
which refuses a locked pair, and through Django's user_login_failed signal, which counts."""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from core.client_address import client_address


def _key(username, request) -> str:
    pair = f"{str(username or '').strip().lower()}|{client_address(request)}"
    return "login-failures:" + hashlib.sha256(pair.encode("utf-8", "replace")).hexdigest()


def is_locked(username, request) -> bool:
    return (cache.get(_key(username, request)) or 0) >= settings.LOGIN_MAX_FAILURES


def lock_minutes() -> int:
    return max(1, -(-settings.LOGIN_FAILURE_WINDOW_S // 60))


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    key = _key(credentials.get("username"), request)
    if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_S):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_S)


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    cache.delete(_key(user.get_username(), request))
