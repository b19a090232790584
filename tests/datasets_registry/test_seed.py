"""The demo seed: the 2025 purchase structure, exact, and idempotent."""

from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from audit.models import AuditEvent
from consortium.models import Team
from datasets_registry.models import Entitlement, Provider, Purchase, PurchaseShare
from datasets_registry.seed import seed_data_registry


def test_seed_loads_the_2025_purchases_and_changes_nothing_the_second_time(db):
    call_command("seed_programme", verbosity=0)
    report = seed_data_registry()
    assert not report.skipped
    assert set(Provider.objects.values_list("name_ko", flat=True)) >= {
        "국가기록원",
        "국사편찬위원회",
        "통계청",
        "특허청",
        "MBC",
        "KBS",
        "KT ENA",
        "MBC 충북",
    }
    assert set(Provider.objects.filter(kind="intermediary").values_list("slug", flat=True)) == {"nia", "k-data"}

    with connection.cursor() as cursor:  # the deferred share-sum check passes for every seeded purchase
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for purchase in Purchase.objects.all():
        assert (
            purchase.shares.aggregate(s=Sum("amount_krw"))["s"]
            == purchase.total_krw
            == (purchase.price_krw + purchase.vat_krw)
        )

    for team in Team.objects.all():
        joint = PurchaseShare.objects.filter(team=team, purchase__contract_number__startswith="NIA-2025-JP")
        assert joint.aggregate(s=Sum("amount_krw"))["s"] == 10_000_000_000  # KRW 10bn per team per year
        specific = PurchaseShare.objects.get(team=team, purchase__contract_number__startswith="NIA-2025-TS")
        assert specific.amount_krw == 2_800_000_000
    broadcast = Purchase.objects.filter(contract_number__startswith="KDATA-2025-BV")
    assert sorted(broadcast.values_list("provider__slug", flat=True)) == ["kbs", "kt-ena", "mbc", "mbc-chungbuk"]
    assert set(broadcast.values_list("total_krw", flat=True)) == {4_830_000_000}

    counts = (Purchase.objects.count(), Entitlement.objects.count(), AuditEvent.objects.count())
    again = seed_data_registry()
    assert again.created == []
    assert (Purchase.objects.count(), Entitlement.objects.count(), AuditEvent.objects.count()) == counts


def test_seed_without_teams_loads_the_catalogue_and_says_what_it_skipped(db):
    report = seed_data_registry()
    assert Purchase.objects.count() == 0 and Provider.objects.count() == 10
    assert any("seed_programme" in line for line in report.skipped)


def test_demo_declarations_show_every_compliance_outcome(db):
    from datasets_registry.selectors import compliance_for_checkpoints
    from evaluation.demo_checkpoints import DEMO_PLAN
    from evaluation.models import Checkpoint

    call_command("seed_programme", verbosity=0)
    checkpoints = {
        slug: Checkpoint.objects.create(team=Team.objects.get(slug=slug), name=name, source=name)
        for slug, name, _steps, _seed in DEMO_PLAN
    }
    seed_data_registry()
    result = compliance_for_checkpoints([c.pk for c in checkpoints.values()])
    status = {slug: result[c.pk].status.value for slug, c in checkpoints.items()}
    assert status == {
        "lg-ai-research": "non_compliant",
        "upstage": "non_compliant",
        "naver-cloud": "compliant",
        "sk-telecom": "compliant",
        "nc-ai": "undeclared",
    }
    assert any("mbc-news-video" in str(r) or "MBC" in str(r) for r in result[checkpoints["lg-ai-research"].pk].reasons)
