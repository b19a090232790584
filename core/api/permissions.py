from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.permissions import can


class ActionPermission(BasePermission):
    """Asks core.permissions for the view's declared actions.

    A view sets `read_action` (GET/HEAD/OPTIONS) and `write_action`; a view
    that declares neither is closed to everyone. `object_read_action`, where
    set, is what reading one object needs (e.g. a team's private records)."""

    def _action(self, request, view):
        return getattr(view, "read_action" if request.method in SAFE_METHODS else "write_action", None)

    def has_permission(self, request, view):
        action = self._action(request, view)
        if request.method not in SAFE_METHODS and not request.user.is_authenticated:
            return False  # no API write is anonymous, whatever a view declares: 403 before any input is read
        return action is not None and can(request.user, action)

    def has_object_permission(self, request, view, obj):
        action = self._action(request, view)
        if request.method in SAFE_METHODS:
            action = getattr(view, "object_read_action", action)
        return action is not None and can(request.user, action, obj)
