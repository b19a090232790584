"""Providers, licences and datasets: programme admins keep the catalogue."""

from django.db import transaction

from audit.admin_writes import admin_create, admin_update

from ..models import Dataset, Licence, Provider

LICENCE_FIELDS = {f.name for f in Licence._meta.concrete_fields} - {"id", "slug"}
DATASET_FIELDS = {
    "provider",
    "licence",
    "name_ko",
    "name_en",
    "modality",
    "size_records",
    "size_tokens",
    "size_bytes",
    "description",
}
PROVIDER_FIELDS = {"name_ko", "name_en", "kind", "website"}


@transaction.atomic
def provider_create(*, actor, slug: str, name_ko: str, name_en: str, kind: str, website: str = "") -> Provider:
    return admin_create(
        actor=actor,
        model=Provider,
        action="data_provider.create",
        slug=slug,
        name_ko=name_ko,
        name_en=name_en,
        kind=kind,
        website=website,
    )


@transaction.atomic
def provider_update(*, actor, provider: Provider, **changes) -> Provider:
    return admin_update(
        actor=actor, instance=provider, action="data_provider.update", editable=PROVIDER_FIELDS, changes=changes
    )


@transaction.atomic
def licence_create(*, actor, slug: str, **terms) -> Licence:
    unknown = set(terms) - LICENCE_FIELDS
    if unknown:
        raise TypeError(f"licence_create: unknown fields {sorted(unknown)}")
    return admin_create(actor=actor, model=Licence, action="licence.create", slug=slug, **terms)


@transaction.atomic
def licence_update(*, actor, licence: Licence, **changes) -> Licence:
    return admin_update(
        actor=actor, instance=licence, action="licence.update", editable=LICENCE_FIELDS, changes=changes
    )


@transaction.atomic
def dataset_create(
    *,
    actor,
    slug: str,
    provider: Provider,
    licence: Licence,
    name_ko: str,
    name_en: str,
    modality: str,
    size_records: int | None = None,
    size_tokens: int | None = None,
    size_bytes: int | None = None,
    description: str = "",
) -> Dataset:
    return admin_create(
        actor=actor,
        model=Dataset,
        action="dataset.create",
        slug=slug,
        provider=provider,
        licence=licence,
        name_ko=name_ko,
        name_en=name_en,
        modality=modality,
        size_records=size_records,
        size_tokens=size_tokens,
        size_bytes=size_bytes,
        description=description,
    )


@transaction.atomic
def dataset_update(*, actor, dataset: Dataset, **changes) -> Dataset:
    return admin_update(
        actor=actor, instance=dataset, action="dataset.update", editable=DATASET_FIELDS, changes=changes
    )
