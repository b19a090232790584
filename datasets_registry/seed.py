"""Load the 2025 data purchases through the services (so shares are split, entitlements made
and everything audited exactly as for an admin). Create-only: what exists (by slug or contract
number) is left alone, so running it again changes nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from consortium.models import Team

from . import programme_2025 as data
from . import services
from .models import Dataset, Licence, Provider, Purchase, TrainingDeclaration


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def seed_data_registry() -> SeedReport:
    report = SeedReport()
    providers = {p.slug: p for p in Provider.objects.all()}
    for slug, (name_ko, name_en, kind) in data.PROVIDERS.items():
        if slug not in providers:
            providers[slug] = services.provider_create(
                actor=None, slug=slug, name_ko=name_ko, name_en=name_en, kind=kind
            )
            report.created.append(f"provider {slug}")
    licences = {lic.slug: lic for lic in Licence.objects.all()}
    for slug, terms in data.LICENCES.items():
        if slug not in licences:
            licences[slug] = services.licence_create(actor=None, slug=slug, **terms)
            report.created.append(f"licence {slug}")
    datasets = {d.slug: d for d in Dataset.objects.all()}
    for slug, (provider, licence, name_ko, name_en, modality, records, tokens, size, text) in data.DATASETS.items():
        if slug not in datasets:
            datasets[slug] = services.dataset_create(
                actor=None,
                slug=slug,
                provider=providers[provider],
                licence=licences[licence],
                name_ko=name_ko,
                name_en=name_en,
                modality=modality,
                size_records=records,
                size_tokens=tokens,
                size_bytes=size,
                description=text,
            )
            report.created.append(f"dataset {slug}")

    teams = {t.slug: t for t in Team.objects.filter(slug__in=data.TEAMS)}
    existing = set(Purchase.objects.values_list("contract_number", flat=True))
    for number, (kind, title, provider, broker, names, signed, total, payers) in data.PURCHASES.items():
        if number in existing:
            continue
        if any(slug not in teams for slug, _ in payers):
            report.skipped.append(f"purchase {number} (run seed_programme first)")
            continue
        price, vat = data.price_and_vat(total)
        services.purchase_create(
            actor=None,
            kind=kind,
            title=title,
            provider=providers[provider],
            intermediary=providers[broker],
            datasets=[datasets[n] for n in names],
            contract_number=number,
            contract_date=signed,
            price_krw=price,
            vat_krw=vat,
            access_from=signed,
            access_until=data.ACCESS_UNTIL,
            shares=[{"team": teams[slug], "percent": Decimal(percent)} for slug, percent in payers],
        )
        report.created.append(f"purchase {number}")
    _seed_declarations(report, datasets)
    return report


def _seed_declarations(report: SeedReport, datasets) -> None:
    """Declarations for the demo checkpoints that exist and have none yet."""
    from evaluation.demo_checkpoints import DEMO_PLAN
    from evaluation.models import Checkpoint

    names = {team: name for team, name, _steps, _seed in DEMO_PLAN}
    declared = set(TrainingDeclaration.objects.values_list("checkpoint_id", flat=True))
    for team_slug, (openly, items) in data.DEMO_DECLARATIONS.items():
        checkpoint = (
            Checkpoint.objects.filter(team__slug=team_slug, name=names.get(team_slug))
            .order_by("submitted_at", "id")
            .first()
        )
        if checkpoint is None or checkpoint.pk in declared:
            continue
        services.training_declaration_set(
            actor=None,
            checkpoint=checkpoint,
            releases_openly=openly,
            items=[
                {"dataset": datasets[slug], "trained_from": start, "trained_until": end} for slug, start, end in items
            ],
        )
        report.created.append(f"declaration for {checkpoint}")
