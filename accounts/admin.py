from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Programme"), {"fields": ("organisation",)}),)
    list_display = ("username", "email", "organisation", "is_staff")
    list_select_related = ("organisation",)
    list_filter = BaseUserAdmin.list_filter + ("organisation",)
