import datetime
from decimal import Decimal

import pytest

from datasets_registry import services
from evaluation.models import Checkpoint

D = datetime.date


def licence_terms(**overrides) -> dict:
    terms = dict(
        name_ko="시험 이용허락",
        name_en="Test licence",
        training="permitted",
        commercial_use="permitted",
        redistribution="prohibited",
        open_weight_release="permitted",
        attribution="conditional",
        attribution_clause="Name the provider.",
        term_starts_on=D(2025, 9, 1),
        term_ends_on=None,
        post_termination="retain",
    )
    terms.update(overrides)
    return terms


@pytest.fixture
def catalogue(db):
    """A provider, an intermediary, four licences and one dataset per licence."""
    provider = services.provider_create(
        actor=None, slug="archives", name_ko="국가기록원", name_en="National Archives", kind="public_body"
    )
    broker = services.provider_create(actor=None, slug="nia", name_ko="NIA", name_en="NIA", kind="intermediary")
    licences = {
        "open": services.licence_create(actor=None, slug="open", **licence_terms()),
        "no-training": services.licence_create(actor=None, slug="no-training", **licence_terms(training="prohibited")),
        "closed-weights": services.licence_create(
            actor=None,
            slug="closed-weights",
            **licence_terms(open_weight_release="prohibited", post_termination="end_access"),
        ),
        "conditional": services.licence_create(
            actor=None,
            slug="conditional",
            **licence_terms(training="conditional", training_clause="De-identified records only."),
        ),
    }
    datasets = {
        name: services.dataset_create(
            actor=None,
            slug=f"ds-{name}",
            provider=provider,
            licence=licence,
            name_ko=f"자료 {name}",
            name_en=f"Data {name}",
            modality="video" if name == "closed-weights" else "text",
            size_records=1000,
            description=f"about {name}",
        )
        for name, licence in licences.items()
    }
    return {"provider": provider, "broker": broker, "licences": licences, "datasets": datasets}


@pytest.fixture
def buy(catalogue):
    """Record a purchase through the service; shares default to 50/50 between the given teams."""
    counter = iter(range(1, 10_000))

    def make(
        *,
        teams,
        datasets=("open",),
        price=1_000_000,
        vat=100_000,
        percents=None,
        access_from=D(2025, 9, 1),
        access_until=D(2026, 12, 31),
        actor=None,
        kind=None,
    ):
        percents = percents or [Decimal(100) / len(teams)] * len(teams)
        return services.purchase_create(
            actor=actor,
            kind=kind or ("joint" if len(teams) > 1 else "individual"),
            title="구매",
            provider=catalogue["provider"],
            intermediary=catalogue["broker"],
            datasets=[catalogue["datasets"][d] for d in datasets],
            contract_number=f"C-{next(counter)}",
            contract_date=access_from,
            price_krw=price,
            vat_krw=vat,
            access_from=access_from,
            access_until=access_until,
            shares=[{"team": t, "percent": p} for t, p in zip(teams, percents)],
        )

    return make


@pytest.fixture
def checkpoint_of(db):
    def make(team, name="ckpt"):
        return Checkpoint.objects.create(team=team, name=name, source=f"{name}/")

    return make
