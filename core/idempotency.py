"""Idempotency keys, in the style of the large payment APIs: a retried write is answered, not redone.

An API write that moves money or creates work opts in with `@idempotent`; the caller sends an
`Idempotency-Key` header (1-255 printable ASCII characters, e.g. a UUID). HTML forms that move
money carry a hidden one-time token (`{% once_token %}`, then `submit_once` in the view).

In ONE transaction the key row (user, key, SHA-256 of method + path + body) is inserted first,
then the view (and its service, whose own atomic block becomes a savepoint) runs, and a success
(2xx) is stored on the row. On PostgreSQL a concurrent insert of the same (user, key) waits on the
unique index until the first transaction ends: after a commit it conflicts and replays the stored
answer; after a rollback (a failed write keeps no key) it goes ahead itself. A wait longer than
IDEMPOTENCY_WAIT_S answers 409. The same key with another request answers 422. Keys are kept for
IDEMPOTENCY_KEY_TTL_S (24 h) and purged by the `core.purge_idempotency_keys` beat task.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
FORM_FIELD = "once_token"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


class KeyReused(Exception):
    """The key was used before for a different request."""

    def __init__(self, stored: IdempotencyKey):
        super().__init__(stored.key)
        self.stored = stored


class KeyInFlight(Exception):
    """Another request with this key is still running (waited IDEMPOTENCY_WAIT_S)."""


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def _canonical(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file-sha256": digest.hexdigest(), "name": value.name}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(method: str, path: str, data) -> str:
    """SHA-256 of method, path and the parsed body (keys sorted: the same JSON written in another
    order is the same request; an uploaded file counts by its content's hash)."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart): every value of every field
        data = {key: values for key, values in data.lists()}
    body = json.dumps(_canonical(data), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def _claim(*, user, key: str, fingerprint: str, method: str, path: str) -> IdempotencyKey | None:
    """Insert the key row (None: it is ours now), or return the row another request committed."""
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            on_postgres = connection.vendor == "postgresql"
            if on_postgres:  # wait for a first request with this key at most IDEMPOTENCY_WAIT_S
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('lock_timeout')")
                    previous = cursor.fetchone()[0]
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)", [f"{int(settings.IDEMPOTENCY_WAIT_S * 1000)}ms"]
                    )
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                method=method,
                path=path[:500],
                created_at=now,
                expires_at=now + datetime.timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_S),
            )
            if on_postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        return None
    except IntegrityError:
        return IdempotencyKey.objects.get(user=user, key=key)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise KeyInFlight(key) from error
        raise


def guard(
    *,
    user,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    run: Callable[[], Any],
    keep: Callable[[Any], tuple[int, str] | None],
):
    """Run `run()` once for (user, key): returns its result, or a Replay of the answer kept the
    first time. `keep(result)` gives (status, body text) to store, or None: nothing is kept and
    everything the transaction wrote, the key included, is rolled back (a failed write can be
    retried). Raises KeyReused (another request under this key) or KeyInFlight."""
    with transaction.atomic():
        stored = _claim(user=user, key=key, fingerprint=fingerprint, method=method, path=path)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise KeyReused(stored)
            return Replay(stored.response_status, stored.response_body)
        result = run()
        kept = keep(result)
        if kept is None:
            transaction.set_rollback(True)
        else:
            IdempotencyKey.objects.filter(user=user, key=key).update(response_status=kept[0], response_body=kept[1])
        return result


# --- the API -------------------------------------------------------------------------------------


def _valid_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not all(" " <= c <= "~" for c in key):
        raise ApiValidationError({HEADER: [_("An Idempotency-Key is 1 to 255 printable ASCII characters.")]})
    return key


def _keep_api(response) -> tuple[int, str] | None:
    if not 200 <= response.status_code < 300:
        return None
    return response.status_code, JSONRenderer().render(response.data).decode()


def idempotent(view_method):
    """An API action that honours the Idempotency-Key header (documented by core.api.schema)."""

    @wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = None if request.method in SAFE_METHODS else _valid_key(request)  # a GET is a read
        if key is None:
            return view_method(view, request, *args, **kwargs)
        fingerprint = request_fingerprint(request.method, request.path, request.data)
        try:
            outcome = guard(
                user=request.user,
                key=key,
                fingerprint=fingerprint,
                method=request.method,
                path=request.path,
                run=lambda: view_method(view, request, *args, **kwargs),
                keep=_keep_api,
            )
        except KeyReused as reused:
            return Response(
                {
                    "detail": _(
                        "This Idempotency-Key was already used for a different request (%(method)s %(path)s with "
                        "another body). Use a new key for a new request."
                    )
                    % {"method": reused.stored.method, "path": reused.stored.path}
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        except KeyInFlight:
            return Response(
                {"detail": _("A request with this Idempotency-Key is still being processed. Retry in a moment.")},
                status=status.HTTP_409_CONFLICT,
            )
        if isinstance(outcome, Replay):
            response = Response(json.loads(outcome.body) if outcome.body else None, status=outcome.status)
            response[REPLAYED_HEADER] = "true"
            return response
        return outcome

    wrapper.idempotent = True
    return wrapper


# --- HTML forms ----------------------------------------------------------------------------------


class FormAlreadySent(Exception):
    """A form's one-time token was already used: `message` says what happened; when the first
    submission did the write (`done`), `kept` is what its `keep` returned (e.g. the new row's id)."""

    def __init__(self, message: str, *, done: bool, kept: str = ""):
        super().__init__(message)
        self.message, self.done, self.kept = message, done, kept


def submit_once(request, run: Callable[[], Any], *, keep: Callable[[Any], str] = lambda result: ""):
    """Run a form's write once per one-time token (`{% once_token %}` in the form). A second
    submission of the same form (a double click, a reload) writes nothing and raises
    FormAlreadySent; a form without a token runs as before. `keep(result)` is text kept for
    the second answer (where the first one redirected to)."""
    token = request.POST.get(FORM_FIELD, "")
    if not token:
        return run()
    data = {k: v for k, v in request.POST.lists() if k not in (FORM_FIELD, "csrfmiddlewaretoken")}
    try:
        outcome = guard(
            user=request.user,
            key=f"form:{token[:200]}",
            fingerprint=request_fingerprint(request.method, request.path, data),
            method=request.method,
            path=request.path,
            run=run,
            keep=lambda result: (303, keep(result)),
        )
    except KeyReused as reused:
        raise FormAlreadySent(
            _("This form was already sent. Reload the page to send it again."), done=False
        ) from reused
    except KeyInFlight as error:
        raise FormAlreadySent(_("This form is still being processed."), done=False) from error
    if isinstance(outcome, Replay):
        raise FormAlreadySent(_("This form was already sent; it was done once."), done=True, kept=outcome.body)
    return outcome


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys whose time is up; returns how many."""
    deleted, _counts = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
