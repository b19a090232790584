"""API throttles whose rates are read from settings at each request (API_THROTTLE_ANON,
API_THROTTLE_USER), so the environment and tests can change them; "off" (or empty) lifts one.
DRF's own classes read their rates once, at import, and by default trust any X-Forwarded-For."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.client_address import client_address

OFF = {"", "off", "none"}


class _SettingsRate:
    setting = ""

    def __init__(self):  # DRF's __init__ reads the rate; ours is read in allow_request
        pass

    def allow_request(self, request, view):
        rate = (getattr(settings, self.setting, "") or "").strip()
        if rate.lower() in OFF:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_address(request)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    setting = "API_THROTTLE_ANON"


class UserThrottle(_SettingsRate, UserRateThrottle):
    setting = "API_THROTTLE_USER"
