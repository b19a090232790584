"""Django admin for the budget. The catalogue is added through the services (validated and
audited); the ledger, allocations and imports are read-only here: money moves only through
the services, and the ledger is append-only."""

from django.contrib import admin

from core.admin_site import PlatformModelAdmin, ReadOnlyModelAdmin

from .models import (
    Allocation,
    BudgetAlert,
    Envelope,
    GpuType,
    LedgerEntry,
    Provider,
    Rate,
    ReallocationRequest,
    SlurmAccount,
    UsageImport,
)
from .services import catalogue


class AddOnlyAdmin(PlatformModelAdmin):
    """New rows through a create service; existing rows are never edited (a new rate gets a new date)."""

    create_service = None

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = type(self).create_service(actor=request.user, **form.cleaned_data)
        obj.pk = saved.pk


@admin.register(GpuType)
class GpuTypeAdmin(AddOnlyAdmin):
    list_display = ("code", "name", "h100_weight")
    create_service = catalogue.gpu_type_create


@admin.register(Provider)
class ProviderAdmin(AddOnlyAdmin):
    list_display = ("slug", "name", "organisation")
    create_service = catalogue.provider_create


@admin.register(Rate)
class RateAdmin(AddOnlyAdmin):
    list_display = ("provider", "gpu_type", "effective_from", "krw_per_gpu_hour")
    list_filter = ("provider", "gpu_type")
    create_service = catalogue.rate_create


@admin.register(SlurmAccount)
class SlurmAccountAdmin(AddOnlyAdmin):
    list_display = ("provider", "name", "team", "organisation")
    create_service = catalogue.slurm_account_create


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("occurred_at", "kind", "allocation", "amount_krw", "source", "job_id", "overrun")
    list_filter = ("kind", "overrun", "envelope")
    list_select_related = ("allocation__team", "allocation__organisation")


@admin.register(Envelope, Allocation, UsageImport, BudgetAlert, ReallocationRequest)
class BudgetReadOnlyAdmin(ReadOnlyModelAdmin):
    pass
