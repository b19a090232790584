from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import AuditEvent, AuditHeadExport


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit log is written by services, never by hand."""

    list_display = ("seq", "created_at", "actor_username", "action", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "actor_username", "action")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditHeadExport)
class AuditHeadExportAdmin(ReadOnlyModelAdmin):
    """Read-only: the daily beat task and `manage.py export_audit_head` write these."""

    list_display = ("exported_at", "seq", "hash", "file_path")
    readonly_fields = [f.name for f in AuditHeadExport._meta.fields]
