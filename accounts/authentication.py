"""API authentication by personal token (accounts.ApiToken): `Authorization: Token <key>`.

The key's hash is looked up (one indexed query), the token must be neither revoked nor expired,
and its person is read with their groups, teams and team roles (accounts.selectors.signed_in_user,
one statement), so a revoked token, an ended role or a deactivated person answers 401/403 on the
very next request. DRF's TokenAuthentication gives the header parsing and the
`WWW-Authenticate: Token` of a 401."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken
from .selectors import signed_in_user
from .tokens import key_hash

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)  # "last used" is written at most once a minute


class ApiTokenAuthentication(TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        found = (
            ApiToken.objects.filter(key_hash=key_hash(key))
            .values_list("pk", "user_id", "expires_at", "revoked_at", "last_used_at")
            .first()
        )
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        pk, user_id, expires_at, revoked_at, last_used_at = found
        now = timezone.now()
        if revoked_at is not None:
            raise AuthenticationFailed(_("This token was revoked."))
        if expires_at <= now:
            raise AuthenticationFailed(_("This token has expired."))
        user = signed_in_user(user_id)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=pk
            ).update(last_used_at=now)
        return user, ApiToken(pk=pk, user_id=user_id, expires_at=expires_at, last_used_at=now)
