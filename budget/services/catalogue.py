"""The catalogue admins keep: GPU types, providers, rates and Slurm account mappings.
A rate is never edited once charges may use it: a new rate gets a new effective date."""
import datetime
from decimal import Decimal

from django.db import transaction

from audit.services import audit_record, snapshot
from core.permissions import Action, require

from budget.models import GpuType, Provider, Rate, SlurmAccount


def _create(actor, model, action: str, **fields):
    if actor is not None:
        require(actor, Action.MANAGE_BUDGET)
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=action, target=instance, after=snapshot(instance))
    return instance


@transaction.atomic
def gpu_type_create(*, actor, code: str, name: str, h100_weight: Decimal) -> GpuType:
    return _create(actor, GpuType, "budget.gpu_type.create", code=code, name=name, h100_weight=h100_weight)


@transaction.atomic
def provider_create(*, actor, slug: str, name: str, organisation) -> Provider:
    return _create(actor, Provider, "budget.provider.create", slug=slug, name=name, organisation=organisation)


@transaction.atomic
def rate_create(*, actor, gpu_type: GpuType, provider: Provider, effective_from: datetime.date,
                krw_per_gpu_hour: int) -> Rate:
    return _create(actor, Rate, "budget.rate.create", gpu_type=gpu_type, provider=provider,
                   effective_from=effective_from, krw_per_gpu_hour=krw_per_gpu_hour)


@transaction.atomic
def slurm_account_create(*, actor, provider: Provider, name: str, team, organisation=None) -> SlurmAccount:
    return _create(actor, SlurmAccount, "budget.slurm_account.create", provider=provider, name=name, team=team,
                   organisation=organisation)
