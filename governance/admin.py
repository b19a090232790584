from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import ConflictOfInterest, Objection


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyModelAdmin):
    """Read-only: conflicts are declared on the conflicts page (governance.services, audited)."""

    list_display = ("reviewer", "team", "declared_at", "declared_by")
    list_filter = ("team",)
    search_fields = ("reviewer__username", "team__slug", "reason")
    readonly_fields = [f.name for f in ConflictOfInterest._meta.fields]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyModelAdmin):
    """Read-only: objections are filed and answered on the stage's objections page (audited)."""

    list_display = ("stage", "team", "status", "filed_at", "answered_at")
    list_filter = ("status", "stage")
    readonly_fields = [f.name for f in Objection._meta.fields]
