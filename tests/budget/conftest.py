import datetime
from decimal import Decimal

import pytest

from budget.models import GpuType, Provider, Rate, SlurmAccount
from budget.services.allocations import envelope_create
from tests.support.factories import OrganisationFactory, ProgrammeFactory

BILLION = 10**9


@pytest.fixture
def catalogue(db):
    """H100 and B200 (weight 2) at one provider, with a rate change on 2025-10-01."""
    h100 = GpuType.objects.create(code="h100", name="NVIDIA H100", h100_weight=Decimal("1"))
    b200 = GpuType.objects.create(code="b200", name="NVIDIA B200", h100_weight=Decimal("2"))
    provider = Provider.objects.create(
        slug="cloud-x", name="Cloud X", organisation=OrganisationFactory(slug="cloud-x", kind="gpu_provider")
    )
    Rate.objects.create(
        gpu_type=h100, provider=provider, effective_from=datetime.date(2025, 1, 1), krw_per_gpu_hour=3600
    )
    Rate.objects.create(
        gpu_type=h100, provider=provider, effective_from=datetime.date(2025, 10, 1), krw_per_gpu_hour=7200
    )
    Rate.objects.create(
        gpu_type=b200, provider=provider, effective_from=datetime.date(2025, 1, 1), krw_per_gpu_hour=10800
    )
    return {"h100": h100, "b200": b200, "provider": provider}


@pytest.fixture
def envelope(db):
    return envelope_create(
        actor=None,
        programme=ProgrammeFactory(),
        name="2025 GPU",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        total_krw=100 * BILLION,
    )


@pytest.fixture
def accounts(catalogue, team_a, team_b):
    provider = catalogue["provider"]
    return {
        "acct-a": SlurmAccount.objects.create(provider=provider, name="acct-a", team=team_a),
        "acct-b": SlurmAccount.objects.create(provider=provider, name="acct-b", team=team_b),
    }


HEADER = "JobID|JobName|Account|AllocTRES|Elapsed|Start|End|State"


def sacct_line(
    job,
    account="acct-a",
    tres="billing=8,cpu=64,gres/gpu:h100=8,gres/gpu=8,node=1",
    elapsed="01:00:00",
    start="2025-09-01T10:00:00",
    end="2025-09-01T11:00:00",
):
    return f"{job}|train|{account}|{tres}|{elapsed}|{start}|{end}|COMPLETED"


def sacct_file(path, lines):
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path
