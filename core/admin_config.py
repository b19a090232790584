from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """django.contrib.admin with our site (core.admin_site), which asks core.permissions."""

    default_site = "core.admin_site.PlatformAdminSite"
