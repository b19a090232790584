"""The session engine (SESSION_ENGINE = "accounts.sessions"): Django's database sessions, stored in
accounts.UserSession with the signed-in person, their browser and address, so that a person's
sessions can be listed and ended. Deleting a row signs that session out on its next request."""

import datetime
import ipaddress

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.dispatch import receiver
from django.utils import timezone

from core.client_address import client_address

USER_AGENT_KEY = "_accounts_user_agent"
ADDRESS_KEY = "_accounts_address"


def _address(value) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value or "")))
    except ValueError:
        return None


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if user_id not in (None, "") and str(user_id).isdigit() else None
        instance.user_agent = str(data.get(USER_AGENT_KEY, ""))[:300]
        instance.ip_address = _address(data.get(ADDRESS_KEY))
        try:
            instance.created_at = datetime.datetime.fromisoformat(data[CREATED_KEY])
        except (KeyError, TypeError, ValueError):
            pass
        return instance


CREATED_KEY = "_accounts_created"


@receiver(user_logged_in)
def _remember_browser(sender, request, user, **kwargs):
    """What the sessions page shows: the browser and address that signed in, and when."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[USER_AGENT_KEY] = request.META.get("HTTP_USER_AGENT", "")[:300]
    request.session[ADDRESS_KEY] = client_address(request)
    request.session[CREATED_KEY] = timezone.now().isoformat()
