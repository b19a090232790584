"""The catalogue admins keep: GPU types, providers, rates and Slurm account mappings.
A rate is never edited once charges may use it: a new rate gets a new effective date."""

import datetime
from decimal import Decimal

from django.db import transaction

from audit.admin_writes import admin_create
from budget.models import GpuType, Provider, Rate, SlurmAccount
from core.permissions import Action


@transaction.atomic
def gpu_type_create(*, actor, code: str, name: str, h100_weight: Decimal) -> GpuType:
    return admin_create(
        actor=actor,
        model=GpuType,
        action="budget.gpu_type.create",
        right=Action.MANAGE_BUDGET,
        code=code,
        name=name,
        h100_weight=h100_weight,
    )


@transaction.atomic
def provider_create(*, actor, slug: str, name: str, organisation) -> Provider:
    return admin_create(
        actor=actor,
        model=Provider,
        action="budget.provider.create",
        right=Action.MANAGE_BUDGET,
        slug=slug,
        name=name,
        organisation=organisation,
    )


@transaction.atomic
def rate_create(
    *, actor, gpu_type: GpuType, provider: Provider, effective_from: datetime.date, krw_per_gpu_hour: int
) -> Rate:
    return admin_create(
        actor=actor,
        model=Rate,
        action="budget.rate.create",
        right=Action.MANAGE_BUDGET,
        gpu_type=gpu_type,
        provider=provider,
        effective_from=effective_from,
        krw_per_gpu_hour=krw_per_gpu_hour,
    )


@transaction.atomic
def slurm_account_create(*, actor, provider: Provider, name: str, team, organisation=None) -> SlurmAccount:
    return admin_create(
        actor=actor,
        model=SlurmAccount,
        action="budget.slurm_account.create",
        right=Action.MANAGE_BUDGET,
        provider=provider,
        name=name,
        team=team,
        organisation=organisation,
    )
