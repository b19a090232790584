"""Suites for programme admins: their versions and tasks (read-only: a version is loaded from its
definition with `manage.py load_suite` or the API), and which version is active (through
evaluation.services.suites, audited)."""

from django.contrib import admin, messages
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from core.admin_site import ReadOnlyModelAdmin

from .models import Suite, SuiteTask, SuiteVersion
from .services.suites import suite_version_activate


class SuiteVersionInline(admin.TabularInline):
    model = SuiteVersion
    fk_name = "suite"
    fields = ["number", "digest", "missing_data", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Suite)
class SuiteAdmin(ReadOnlyModelAdmin):
    list_display = ["slug", "name_ko", "name_en", "active_version"]
    search_fields = ["slug", "name_ko", "name_en"]
    list_select_related = ["active_version__suite"]
    inlines = [SuiteVersionInline]


class SuiteTaskInline(admin.TabularInline):
    model = SuiteTask
    fields = ["position", "task", "n_shot", "metric", "category", "weight", "random_baseline", "hidden"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SuiteVersion)
class SuiteVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["__str__", "suite", "number", "is_active", "digest", "created_at"]
    list_filter = ["suite"]
    list_select_related = ["suite"]
    inlines = [SuiteTaskInline]
    actions = ["activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest_number=Max("suite__versions__number"))

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, version):
        active = version.suite.active_version_id
        return active == version.pk or (active is None and version.number == version.latest_number)

    @admin.action(description=_("Activate the selected version (new runs use it)"))
    def activate(self, request, queryset):
        versions = list(queryset.select_related("suite"))
        if len(versions) != 1:
            self.message_user(request, _("Choose exactly one version to activate."), messages.ERROR)
            return
        version = suite_version_activate(actor=request.user, version=versions[0])
        self.message_user(request, _("%(version)s is now the active version.") % {"version": version}, messages.SUCCESS)
