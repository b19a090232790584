"""Django admin for programme admins: the catalogue is edited through the services (validated
and audited); purchases, shares, entitlements and declarations are read-only here — record
purchases through the API (POST /api/data-purchases/), where the split and entitlements are made."""

from django.contrib import admin

from consortium.admin import ServiceWriteAdmin
from core.admin_site import ReadOnlyModelAdmin

from . import services
from .models import Dataset, Entitlement, Licence, Provider, Purchase, PurchaseShare, TrainingDeclaration
from .services.catalogue import DATASET_FIELDS, LICENCE_FIELDS, PROVIDER_FIELDS


class SlugFixedAdmin(ServiceWriteAdmin):
    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()


@admin.register(Provider)
class ProviderAdmin(SlugFixedAdmin):
    list_display = ("slug", "name_ko", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("slug", "name_ko", "name_en")
    create_service = services.provider_create
    update_service = services.provider_update
    instance_kwarg = "provider"
    update_fields = tuple(sorted(PROVIDER_FIELDS))


@admin.register(Licence)
class LicenceAdmin(SlugFixedAdmin):
    list_display = ("slug", "name_ko", "training", "open_weight_release", "post_termination")
    create_service = services.licence_create
    update_service = services.licence_update
    instance_kwarg = "licence"
    update_fields = tuple(sorted(LICENCE_FIELDS))


@admin.register(Dataset)
class DatasetAdmin(SlugFixedAdmin):
    list_display = ("slug", "name_ko", "provider", "modality", "licence")
    list_filter = ("modality", "provider")
    search_fields = ("slug", "name_ko", "name_en")
    create_service = services.dataset_create
    update_service = services.dataset_update
    instance_kwarg = "dataset"
    update_fields = tuple(sorted(DATASET_FIELDS))


class ShareInline(admin.TabularInline):
    model = PurchaseShare
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyModelAdmin):
    list_display = ("contract_number", "title", "kind", "provider", "total_krw", "contract_date")
    list_filter = ("kind", "provider")
    inlines = [ShareInline]


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyModelAdmin):
    list_display = ("dataset", "team", "organisation", "valid_from", "valid_until", "revoked_on")
    list_filter = ("team",)


@admin.register(TrainingDeclaration)
class TrainingDeclarationAdmin(ReadOnlyModelAdmin):
    list_display = ("checkpoint", "releases_openly", "declared_at")
