from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import login_limits
from .selectors import signed_in_user


class LimitedModelBackend(ModelBackend):
    """Django's username/password check, refused for a (username, address) pair with too many
    recent failures (accounts.login_limits): not even a right password gets in until it ends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.get_user_model().USERNAME_FIELD)
        if login_limits.is_locked(username, request):
            raise PermissionDenied  # authenticate() stops here and reports a failed sign-in
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user, with its groups and today's teams in the same query."""
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
