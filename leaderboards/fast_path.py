"""The signed-in leaderboard's fast path (#18): a repeat of a signed-in request for a leaderboard's
page or table is answered from a cache after ONE SQL statement, without Django's session, auth,
view or template machinery.

The statement reads, each time, everything the answer depends on: the credentials (the session
row, or the API token by its hash), the person with their groups, their organisation's teams today
and their team roles now (the same columns as accounts.selectors.signed_in_user), the leaderboard
row, and the fingerprint of every input of its table (leaderboards.selectors._inputs_fingerprint).
The cache key holds all of it, so rights are never stale: a logout or a revoked session (its row
is gone), a revoked or expired token, an ended membership or team role changes the statement's
answer, hence the key, on the very next request. Nothing is cached by time.

The API table depends only on the viewer's scope (core.permissions.private_team_scope), so it is
shared by everyone with the same scope; a page also shows the person (their name and role in the
header, their links), so it is kept per person and rights. A page's CSRF token is put in at each
answer, from the request's own CSRF cookie (or a new one, set as Django's middleware would).
Whatever the fast path is unsure about (a session whose hash or backend does not check out, flash
messages waiting, an unknown leaderboard, a throttled caller) goes the ordinary way, which also
fills the cache. SIGNED_IN_FAST_PATH=false switches it off."""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, InvalidTokenFormat, _get_new_csrf_string, _mask_cipher_secret
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.selectors import RIGHTS_COLUMNS_SQL, user_from_rights_row
from accounts.sessions import SessionStore
from accounts.tokens import key_hash
from core.middleware import request_language
from core.permissions import private_team_scope
from core.roles import role_of
from evaluation.models import RunStatus

PAGE_VIEWS = frozenset({"leaderboard-detail"})
API_VIEWS = frozenset({"api:leaderboard-detail"})
PREFIXES = ("/leaderboards/", "/api/leaderboards/")  # where those views live: other paths are not resolved here
CACHE_SECONDS = 600
CSRF_PLACEHOLDER = "__fast_path_csrf_token__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_TOKEN_HEADER = re.compile(r"^Token ([^\s]{1,200})$")

_LEADERBOARD_SQL = """
       l.id AS leaderboard_id, l.rule, l.stage_id, l.suite_version_id, l.name_ko, l.name_en,
       r.runs_max, r.runs_count,
       (SELECT MAX(s.id) FROM leaderboards_referencescore s JOIN leaderboards_referencemodel m
          ON m.id = s.reference_id WHERE m.suite_version_id = l.suite_version_id) AS references_max,
       (SELECT MAX(id) FROM leaderboards_snapshot WHERE leaderboard_id = l.id) AS snapshot_max,
       (SELECT MAX(nominated_at) FROM stages_nomination WHERE stage_id = l.stage_id) AS nominated_max"""
# The suite's succeeded runs are read once for both their newest id and their count.
_RUNS_SQL = (
    "LEFT JOIN LATERAL (SELECT MAX(id) AS runs_max, COUNT(*) AS runs_count FROM evaluation_evaluationrun "
    "WHERE suite_version_id = l.suite_version_id AND status = %(succeeded)s AND NOT preview) r ON true "
)
SESSION_SQL = (
    f"SELECT s.session_data, {RIGHTS_COLUMNS_SQL}, {_LEADERBOARD_SQL} "
    "FROM accounts_usersession s JOIN accounts_user u ON u.id = s.user_id "
    "LEFT JOIN leaderboards_leaderboard l ON l.slug = %(slug)s "
    + _RUNS_SQL
    + "WHERE s.session_key = %(session_key)s AND s.expire_date > %(now)s"
)
TOKEN_SQL = (
    f"SELECT t.id AS token_id, t.last_used_at, {RIGHTS_COLUMNS_SQL}, {_LEADERBOARD_SQL} "
    "FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id "
    "LEFT JOIN leaderboards_leaderboard l ON l.slug = %(slug)s "
    + _RUNS_SQL
    + "WHERE t.key_hash = %(key_hash)s AND t.revoked_at IS NULL AND t.expires_at > %(now)s"
)


def _cursor():
    """A cursor that binds on the server, so that PostgreSQL keeps the statement prepared (psycopg
    prepares a statement after its fifth run on a connection): planning this statement took longer
    than running it. Django's own cursors bind on the client, so each query text differs. It is
    wrapped like Django's, so query counts and logging see it."""
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def _read(sql: str, params: dict) -> dict | None:
    now = timezone.now()
    params |= {"now": now, "day": timezone.localdate(now), "succeeded": RunStatus.SUCCEEDED.value}
    with _cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip([c.name for c in cursor.description], row, strict=True))


def _session_checks_out(row: dict, user) -> bool:
    """What django.contrib.auth.get_user checks, for the session's stored user."""
    try:
        data = SessionStore().decode(row["session_data"])
    except Exception:  # noqa: BLE001 - an undecodable session goes the ordinary way
        return False
    if "_messages" in data or str(data.get("_auth_user_id")) != str(user.pk):
        return False
    if data.get("_auth_user_backend") not in settings.AUTHENTICATION_BACKENDS:
        return False
    return constant_time_compare(data.get("_auth_user_hash", ""), user.get_session_auth_hash())


def _inputs(row: dict) -> tuple:
    return (
        row["leaderboard_id"],
        row["rule"],
        row["stage_id"],
        row["suite_version_id"],
        row["name_ko"],
        row["name_en"],
        row["runs_max"],
        row["runs_count"],
        row["references_max"],
        row["snapshot_max"],
        str(row["nominated_max"]),
    )


def _throttled(request, user) -> bool:
    from core.api.throttling import UserThrottle

    class Caller:  # what DRF's user throttle reads
        META = request.META

    Caller.user = user
    return not UserThrottle().allow_request(Caller, None)


class SignedInLeaderboardCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not settings.SIGNED_IN_FAST_PATH or connection.vendor != "postgresql":
            return self.get_response(request)  # the statement is PostgreSQL's (SQLite serves local demos)
        if not request.path_info.startswith(PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        is_api = match.view_name in API_VIEWS
        if not is_api and match.view_name not in PAGE_VIEWS:
            return self.get_response(request)
        key, user = self._key(request, match.kwargs.get("slug", ""), is_api)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is None:
            response = self.get_response(request)
            self._store(request, response, key, user, is_api)
            return response
        status, headers, content = stored
        response = HttpResponse(status=status, headers=headers)
        if not is_api:
            content = content.replace(CSRF_PLACEHOLDER.encode(), self._csrf_token(request).encode())
        response.content = content
        response["Content-Length"] = str(len(content))
        if not is_api and request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            CsrfViewMiddleware(self.get_response)._set_csrf_cookie(request, response)
        return response

    def _key(self, request, slug: str, is_api: bool):
        """(cache key, user) for a request with valid credentials, else (None, None)."""
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        if authorization:
            found = _TOKEN_HEADER.match(authorization) if is_api else None
            if found is None:
                return None, None
            row = _read(TOKEN_SQL, {"slug": slug, "key_hash": key_hash(found.group(1))})
        else:
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if not session_key or "messages" in request.COOKIES:
                return None, None
            row = _read(SESSION_SQL, {"slug": slug, "session_key": session_key})
        if row is None or row["leaderboard_id"] is None or not row["is_active"]:
            return None, None
        user = user_from_rights_row(row)
        if "session_data" in row and not _session_checks_out(row, user):
            return None, None
        if is_api and _throttled(request, user):
            return None, None
        if "token_id" in row:
            self._token_used(row)
        language = request_language(request)
        if is_api:
            scope = private_team_scope(user)
            parts = (
                "api",
                request.get_full_path(),
                language,
                request.META.get("HTTP_ACCEPT", ""),
                None if scope is None else tuple(sorted(scope)),
                _inputs(row),
            )
        else:
            parts = (
                "page",
                request.get_full_path(),
                language,
                user.pk,
                user.username,
                role_of(user),
                tuple(sorted(user._group_names_cache)),
                tuple(sorted(user._team_ids_cache)),
                tuple(sorted(user._team_roles_cache.items())),
                user.is_superuser,
                user.is_staff,
                settings.TEAM_MEMBER_DEFAULT_ROLE,
                _inputs(row),
            )
        return "signed-in:" + hashlib.sha256(repr(parts).encode()).hexdigest(), user

    @staticmethod
    def _token_used(row: dict) -> None:
        from accounts.authentication import LAST_USED_RESOLUTION
        from accounts.models import ApiToken

        now = timezone.now()
        if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row["token_id"]).update(last_used_at=now)

    @staticmethod
    def _store(request, response, key: str, user, is_api: bool) -> None:
        signed_in = getattr(request, "user", None)
        if (
            response.status_code != 200
            or response.streaming
            or signed_in is None
            or not signed_in.is_authenticated
            or signed_in.pk != user.pk
        ):
            return
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return
        content = response.content
        if not is_api:
            content = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_PLACEHOLDER.encode() + rb"\g<2>", content)
        headers = {k: v for k, v in response.items() if k.lower() not in ("set-cookie", "content-length")}
        cache.set(key, (response.status_code, headers, content), CACHE_SECONDS)

    @staticmethod
    def _csrf_token(request) -> str:
        try:
            secret = CsrfViewMiddleware(lambda r: None)._get_secret(request)
        except InvalidTokenFormat:
            secret = None
        if secret is None:
            secret = _get_new_csrf_string()
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        request.META["CSRF_COOKIE"] = secret
        return _mask_cipher_secret(secret)
