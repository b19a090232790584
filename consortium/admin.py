"""Django admin for programme admins. Writes go through the services, so the
admin validates and audits exactly like the API."""

from django.contrib import admin

from core.admin_site import PlatformModelAdmin, ReadOnlyModelAdmin
from core.permissions import Action, can

from . import services
from .models import Membership, MembershipRoleAssignment, Organisation, Programme, Team


class ServiceWriteAdmin(PlatformModelAdmin):
    """Routes admin saves through `create`/`update` service functions."""

    create_service = None
    update_service = None
    instance_kwarg = ""
    update_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        if change:
            # The form has already copied its values onto `obj`; the service
            # must see the stored row to know what changed and audit it.
            stored = type(obj).objects.get(pk=obj.pk)
            changes = {f: form.cleaned_data[f] for f in self.update_fields if f in form.changed_data}
            type(self).update_service(actor=request.user, **{self.instance_kwarg: stored}, **changes)
        else:
            saved = type(self).create_service(actor=request.user, **form.cleaned_data)
            obj.pk = saved.pk


@admin.register(Programme)
class ProgrammeAdmin(ServiceWriteAdmin):
    list_display = ("slug", "name_ko", "name_en", "year")
    create_service = services.programme_create
    update_service = services.programme_update
    instance_kwarg = "programme"
    update_fields = ("name_ko", "name_en", "year")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()


@admin.register(Organisation)
class OrganisationAdmin(ServiceWriteAdmin):
    list_display = ("slug", "name_ko", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("slug", "name_ko", "name_en")
    create_service = services.organisation_create
    update_service = services.organisation_update
    instance_kwarg = "organisation"
    update_fields = ("name_ko", "name_en", "kind")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()


@admin.register(Team)
class TeamAdmin(ServiceWriteAdmin):
    list_display = ("slug", "name_ko", "name_en", "model_name", "lead_organisation", "status", "joined_on")
    list_filter = ("status", "programme")
    list_select_related = ("lead_organisation",)
    create_service = services.team_create
    update_service = services.team_update
    instance_kwarg = "team"
    update_fields = ("name_ko", "name_en", "model_name")
    fields = ("programme", "slug", "name_ko", "name_en", "model_name", "lead_organisation", "joined_on", "status")

    def get_readonly_fields(self, request, obj=None):
        # Status changes need a reason: they go through the API's status action.
        return ("programme", "slug", "lead_organisation", "joined_on", "status") if obj else ("status",)


class MembershipRoleInline(admin.TabularInline):
    model = MembershipRoleAssignment
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_REGISTRY)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyModelAdmin):
    """Read-only here: memberships carry several roles and overlap rules, so they
    are written through the API (or the services), which validate and audit."""

    list_display = ("team", "organisation", "joined_on", "left_on")
    list_filter = ("team",)
    list_select_related = ("team", "organisation")
    inlines = [MembershipRoleInline]
