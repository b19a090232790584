"""The demo budget: the 2025 GPU envelope (KRW 157.6bn), the first-period allocations from
public reporting (../shared/domain.md), and a generated usage history (fixed seed), so the
dashboard shows a real picture. Create-only: running it again changes nothing.

Rates and the H100 weights of H200 and the NPUs are illustrative (not public); B200 = 2 H100
is the programme's own accounting. SK Telecom and Naver Cloud, being GPU lessors, get no
GPUs in the first period (the conflict rule refuses a lessor's own team anyway)."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consortium.models import Organisation, Programme, Team
from consortium.services import organisation_create

from .models import Allocation, Envelope, GpuType, LedgerEntry, Provider, Rate, SlurmAccount
from .services.alerts import alerts_check
from .services.allocations import allocation_grant, allocation_split, envelope_create
from .services.catalogue import gpu_type_create, provider_create, rate_create, slurm_account_create
from .services.charging import Charger, UsageLine
from .services.nodes import node_balance, team_node
from .services.rates import RateCard

ENVELOPE = {
    "name": "2025 GPU 지원 (GPU support 2025)",
    "period_start": datetime.date(2025, 8, 4),
    "period_end": datetime.date(2026, 6, 30),
    "total_krw": 157_600_000_000,
}
GPU_TYPES = [
    ("h100", "NVIDIA H100", "1"),
    ("h200", "NVIDIA H200", "1.2"),
    ("b200", "NVIDIA B200", "2"),
    ("rngd", "FuriosaAI RNGD", "0.5"),
    ("atom", "Rebellions ATOM", "0.4"),
]
# provider slug: (name, organisation slug, [(gpu type, KRW per GPU-hour, effective from)])
PROVIDERS = {
    "skt-haein": ("SK Telecom Haein cluster", "sk-telecom", [("b200", 17_000, datetime.date(2025, 8, 1))]),
    "naver-cloud": (
        "Naver Cloud",
        "naver-cloud",
        [
            ("h100", 8_500, datetime.date(2025, 8, 1)),
            ("h200", 10_200, datetime.date(2025, 8, 1)),
            ("h100", 8_000, datetime.date(2026, 1, 1)),
        ],
    ),
    "nhn-cloud": (
        "NHN Cloud",
        "nhn",
        [("h100", 8_500, datetime.date(2025, 8, 1)), ("b200", 16_500, datetime.date(2026, 1, 1))],
    ),
    "kakao": ("Kakao", "kakao", [("h200", 10_000, datetime.date(2026, 1, 1))]),
}
FIRST_PERIOD = (datetime.date(2025, 8, 4), datetime.date(2025, 12, 31))
# team: (provider, gpu type, count, Slurm account, share of the allocation used by the end of the history)
ALLOCATIONS = {
    "lg-ai-research": ("skt-haein", "b200", 512, "lg-exaone", 0.83),
    "upstage": ("naver-cloud", "h100", 1024, "upstage-solar", 0.72),
    "nc-ai": ("naver-cloud", "h100", 1024, "ncai-varco", 0.97),
}
H1_2026_TOPUP = {"lg-ai-research": 25_000_000_000, "upstage": 25_000_000_000}
SPLITS = {
    "lg-ai-research": [("lg-uplus", 2_000_000_000), ("lg-cns", 1_500_000_000)],
    "upstage": [("nota", 1_000_000_000)],
    "nc-ai": [("etri", 800_000_000)],
}


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _catalogue(report: SeedReport) -> dict:
    types = {t.code: t for t in GpuType.objects.all()}
    for code, name, weight in GPU_TYPES:
        if code not in types:
            types[code] = gpu_type_create(actor=None, code=code, name=name, h100_weight=Decimal(weight))
            report.created.append(f"gpu type {code}")
    providers = {p.slug: p for p in Provider.objects.all()}
    for slug, (name, org_slug, rates) in PROVIDERS.items():
        if slug not in providers:
            organisation = Organisation.objects.filter(slug=org_slug).first() or organisation_create(
                actor=None, slug=org_slug, name_ko="카카오", name_en="Kakao", kind="gpu_provider"
            )
            providers[slug] = provider_create(actor=None, slug=slug, name=name, organisation=organisation)
            report.created.append(f"provider {slug}")
        for code, krw, day in rates:
            if not Rate.objects.filter(provider=providers[slug], gpu_type=types[code], effective_from=day).exists():
                rate_create(
                    actor=None, gpu_type=types[code], provider=providers[slug], effective_from=day, krw_per_gpu_hour=krw
                )
    return {"types": types, "providers": providers}


def _allocations(envelope: Envelope, teams: dict, catalogue: dict, report: SeedReport) -> None:
    for slug, (provider, code, count, account, _share) in ALLOCATIONS.items():
        team = teams[slug]
        node = team_node(envelope, team)
        if not node.entries.exists():
            allocation_grant(
                actor=None,
                envelope=envelope,
                team=team,
                reason="1차 GPU 지원 (first period)",
                reservation={
                    "gpu_type": catalogue["types"][code],
                    "provider": catalogue["providers"][provider],
                    "gpu_count": count,
                    "start": FIRST_PERIOD[0],
                    "end": FIRST_PERIOD[1],
                },
            )
            if slug in H1_2026_TOPUP:
                allocation_grant(
                    actor=None,
                    envelope=envelope,
                    team=team,
                    amount_krw=H1_2026_TOPUP[slug],
                    reason="2026 상반기 추가 지원 (H1 2026)",
                )
            report.created.append(f"allocation {slug}")
        for org_slug, amount in SPLITS.get(slug, []):
            organisation = Organisation.objects.get(slug=org_slug)
            if not Allocation.objects.filter(envelope=envelope, team=team, organisation=organisation).exists():
                allocation_split(
                    actor=None,
                    envelope=envelope,
                    team=team,
                    organisation=organisation,
                    amount_krw=amount,
                    reason="컨소시엄 내 배분 (member share)",
                )
                report.created.append(f"allocation {slug}/{org_slug}")
        if not SlurmAccount.objects.filter(provider=catalogue["providers"][provider], name=account).exists():
            slurm_account_create(actor=None, provider=catalogue["providers"][provider], name=account, team=team)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _usage(envelope: Envelope, teams: dict, catalogue: dict, until: datetime.date) -> int:
    """Daily jobs whose monthly cost ramps up, reaching each team's share of its allocation."""
    rng, lines = random.Random(2025), []
    months = _months(envelope.period_start, min(until, envelope.period_end))
    weights = [1 + i for i in range(len(months))]
    for slug, (provider_slug, code, count, account, share) in ALLOCATIONS.items():
        team, provider = teams[slug], catalogue["providers"][provider_slug]
        gpu_type, card = catalogue["types"][code], RateCard(provider)
        allocated = node_balance(team_node(envelope, team)) + sum(  # what the team received in all
            node_balance(child)
            for child in Allocation.objects.filter(envelope=envelope, team=team, organisation__isnull=False)
        )
        for month, weight in zip(months, weights):
            budget = allocated * share * weight / sum(weights)
            days = [
                month + datetime.timedelta(days=d)
                for d in range(31)
                if (month + datetime.timedelta(days=d)).month == month.month
                and envelope.period_start <= month + datetime.timedelta(days=d) <= until
            ]
            for day in days:
                rate = card.at(gpu_type.pk, day)
                gpus = rng.choice((count // 4, count // 2, count))
                seconds = int(budget / len(days) * 3600 / (gpus * rate) * rng.uniform(0.9, 1.1))
                start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(0, 5))))
                lines.append(
                    UsageLine(
                        key=f"demo:{provider.slug}:{slug}-{day:%Y%m%d}:",
                        team_id=team.pk,
                        organisation_id=None,
                        provider_id=provider.pk,
                        gpu_type_id=gpu_type.pk,
                        gpu_count=gpus,
                        seconds=seconds,
                        started_at=start,
                        ended_at=start + datetime.timedelta(seconds=seconds),
                        krw_per_gpu_hour=rate,
                        source=f"sacct:{provider.slug}",
                        job_id=f"{slug}-{day:%Y%m%d}",
                        external_account=account,
                    )
                )
    result = Charger().charge(lines)
    alerts_check(allocation_ids=result.allocation_ids)
    return result.imported


@transaction.atomic
def seed_budget_demo(*, until: datetime.date | None = None) -> SeedReport:
    report = SeedReport()
    programme = Programme.objects.filter(slug="sovereign-ai-2025").first()
    if programme is None:
        return report  # seed_programme first
    catalogue = _catalogue(report)
    envelope = Envelope.objects.filter(programme=programme, name=ENVELOPE["name"]).first()
    if envelope is None:
        envelope = envelope_create(actor=None, programme=programme, **ENVELOPE)
        report.created.append("envelope 2025")
    teams = {t.slug: t for t in Team.objects.filter(slug__in=ALLOCATIONS)}
    _allocations(envelope, teams, catalogue, report)
    if not LedgerEntry.objects.filter(envelope=envelope, source__startswith="sacct:", kind="usage").exists():
        imported = _usage(envelope, teams, catalogue, until or timezone.localdate())
        report.created.append(f"{imported} usage charges")
    return report
