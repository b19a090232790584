from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit log is written by services, never by hand."""

    list_display = ("seq", "created_at", "actor_username", "action", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "actor_username", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
