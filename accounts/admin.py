"""Users in the Django admin: every save goes through accounts.services (audited);
roles are one choice here, never raw groups or permission flags."""

from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from core.admin_site import PlatformModelAdmin
from core.roles import Role, role_of

from . import services
from .models import User
from .services.tokens import tokens_revoke_all

# Groups are the role mechanism and tokens are secrets: neither is edited by hand.
admin.site.unregister(Group)
admin.site.unregister(TokenProxy)

ASSIGNABLE_ROLES = [
    (Role.MEMBER, _("Member firm / none")),
    (Role.REVIEWER, Role.REVIEWER.label),
    (Role.ADMIN, Role.ADMIN.label),
]


class UserChangeForm(auth_forms.UserChangeForm):
    role = forms.ChoiceField(label=_("Role"), choices=ASSIGNABLE_ROLES)

    class Meta:
        model = User
        fields = ["password", "first_name", "last_name", "email", "organisation", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = role_of(self.instance)
        self.initial["role"] = current if current in (Role.REVIEWER, Role.ADMIN) else Role.MEMBER


@admin.register(User)
class UserAdmin(PlatformModelAdmin, BaseUserAdmin):
    form = UserChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Programme"), {"fields": ("organisation", "role", "is_active")}),
        (_("History"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "email", "organisation", "is_active")
    list_select_related = ("organisation",)
    list_filter = ("is_active", "organisation")
    filter_horizontal = ()

    actions = ["revoke_all_api_tokens"]

    @admin.action(description=_("Revoke all API tokens of the selected people"))
    def revoke_all_api_tokens(self, request, queryset):
        revoked = sum(tokens_revoke_all(actor=request.user, user=user) for user in queryset)
        self.message_user(request, _("%(count)s tokens revoked.") % {"count": revoked})

    def get_readonly_fields(self, request, obj=None):
        return ("username", "last_login", "date_joined") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            stored = User.objects.get(pk=obj.pk)
            changes = {f: form.cleaned_data[f] for f in services.USER_EDITABLE if f in form.changed_data}
            services.user_update(actor=request.user, user=stored, role=Role(form.cleaned_data["role"]), **changes)
        else:
            password = form.cleaned_data.get("password1") if form.cleaned_data.get("usable_password", True) else None
            obj.pk = services.user_create(
                actor=request.user, username=form.cleaned_data["username"], password=password
            ).pk

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: roles and organisation were written by the service."""
