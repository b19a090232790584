"""The Django admin, opened to programme admins through core.permissions
instead of Django's per-model permissions, so the admin obeys the same rules
as every page and endpoint."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.permissions import Action, can


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Programme administration")
    site_title = _("Programme administration")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and can(user, Action.MANAGE_REGISTRY)


class PlatformModelAdmin(admin.ModelAdmin):
    """Programme admins may view, add and change; nothing is deleted from the admin
    (records end with dates and statuses, and their history stays)."""

    def has_module_permission(self, request):
        return can(request.user, Action.MANAGE_REGISTRY)

    def has_view_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_REGISTRY)

    def has_add_permission(self, request):
        return can(request.user, Action.MANAGE_REGISTRY)

    def has_change_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_REGISTRY)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyModelAdmin(PlatformModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
