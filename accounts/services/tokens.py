"""Personal API tokens: made, revoked (one, or all of a person's), each audited. The key is returned
once, by token_create; only its hash is stored."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.tokens import key_hash, key_new, key_prefix
from audit.services import audit_record
from core.permissions import Action, require


def _snapshot(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user_id,
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@transaction.atomic
def token_create(*, actor, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` (the actor themself, or an admin; actor None: the platform) that
    expires after `days` (API_TOKEN_DEFAULT_DAYS, at most API_TOKEN_MAX_DAYS). Returns the token and
    its key, which is never shown again."""
    if actor is not None:
        require(actor, Action.MANAGE_ACCOUNT, user)
    name = (name or "").strip()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    errors = {}
    if not name:
        errors["name"] = [_("Give the token a name.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = [_("Between 1 and %(max)s days.") % {"max": settings.API_TOKEN_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    key = key_new()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key_prefix(key),
        key_hash=key_hash(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit_record(actor=actor, action="api_token.create", target=token, after=_snapshot(token))
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Ends one token now; it answers 401 from the next request on. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if actor is not None:
        require(actor, Action.MANAGE_ACCOUNT, token.user)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="api_token.revoke", target=token, before=before, after=_snapshot(token))
    return token


@transaction.atomic
def tokens_revoke_all(*, actor, user: User) -> int:
    """Ends every usable token of `user` (an admin, or the person themself); one audit row. Returns
    how many were revoked."""
    if actor is not None:
        require(actor, Action.MANAGE_ACCOUNT, user)
    now = timezone.now()
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    ids = list(live.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=now, revoked_by=actor)
        audit_record(actor=actor, action="api_token.revoke_all", target=user, after={"revoked": sorted(ids)})
    return len(ids)
