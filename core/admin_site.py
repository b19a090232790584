"""The Django admin, opened to programme admins through core.permissions
instead of Django's per-model permissions, so the admin obeys the same rules
as every page and endpoint."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
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


class ServiceForm(forms.ModelForm):
    """Writes through its service once the form is otherwise valid, so that a refusal
    (ValidationError) is shown on the form instead of failing the save; the admin's transaction
    (changeform_view is atomic) holds the write."""

    actor = stored = None  # set per request by ServiceFormAdmin.get_form: the user, the stored row

    def write(self):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()  # the model's own checks first, before the row exists
        if not self.errors:
            try:
                self.saved = self.write()
            except ValidationError as error:
                self.add_error(None, error.messages)  # all of them, whatever field the service named


class ServiceFormAdmin(PlatformModelAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user, "stored": obj})

    def save_model(self, request, obj, form, change):
        obj.pk = form.saved.pk  # written by the service while the form was validated

    def save_related(self, request, form, formsets, change):
        pass  # related rows are the service's to write
