"""Programme admins read references and reports here; references are registered with
`manage.py register_reference` or the API (fingerprinting needs the folder, not a form)."""

from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import OriginalityReport, ReferenceModel, TensorMatch


@admin.register(ReferenceModel)
class ReferenceModelAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "family", "tensor_count", "parameter_count", "registered_at", "registered_by"]
    search_fields = ["name", "family"]


class TensorMatchInline(admin.TabularInline):
    model = TensorMatch
    fields = ["tensor", "reference", "reference_tensor", "similarity", "exact", "matched_parameters"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OriginalityReport)
class OriginalityReportAdmin(ReadOnlyModelAdmin):
    list_display = ["checkpoint", "status", "verdict", "matched_share", "best_reference", "checked_at"]
    list_filter = ["status", "verdict"]
    list_select_related = ["checkpoint__team", "best_reference"]
    inlines = [TensorMatchInline]
