"""The client's address, for what is counted per client: sign-in failures (accounts.login_limits)
and API rates (core.api.throttling)."""

from django.conf import settings


def client_address(request) -> str:
    """The peer's address; or, with TRUSTED_PROXIES reverse proxies in front of the app, the address
    the outermost of them saw. Each proxy appends its peer to X-Forwarded-For, so that one is read
    counting from the right: whatever a client wrote there itself comes before it and is ignored."""
    if request is None:
        return ""
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies <= 0 or not forwarded:
        return peer
    return forwarded[-min(proxies, len(forwarded))]
