"""HTML pages: the public catalogue, purchases and spending per role, exports, entitlements,
and the training-data section of the checkpoint page."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from datasets_registry.models import TrainingDeclaration

from .conftest import D


@pytest.fixture
def purchases(buy, team_a, team_b):
    return {
        "a": buy(teams=[team_a], datasets=("open",), price=2_800_000_000, vat=0),
        "joint": buy(
            teams=[team_a, team_b],
            datasets=("closed-weights",),
            price=4_390_909_091,
            vat=439_090_909,
            access_from=D(2025, 10, 20),
        ),
        "b": buy(teams=[team_b], datasets=("conditional",), price=1_000, vat=100),
    }


def test_the_catalogue_is_public_and_searchable(client, catalogue):
    page = client.get("/data/").content.decode()
    assert all(f"자료 {name}" in page for name in catalogue["datasets"])
    page = client.get("/data/?q=closed").content.decode()
    assert "자료 closed-weights" in page and "자료 open" not in page
    page = client.get("/data/?training=prohibited").content.decode()
    assert "자료 no-training" in page and "자료 conditional" not in page
    assert "국가기록원" in client.get("/data/providers/?kind=public_body").content.decode()
    assert "국가기록원" not in client.get("/data/providers/?kind=broadcaster").content.decode()
    detail = client.get("/data/datasets/ds-closed-weights/").content.decode()
    assert "금지" in detail and "Name the provider." in detail  # a prohibited term and a clause


@pytest.mark.parametrize(
    "url", ["/data/purchases/", "/data/spending/", "/data/purchases/export.csv", "/data/entitlements/"]
)
def test_private_pages_need_a_login(client, db, url):
    assert client.get(url).status_code == 302


def test_a_member_sees_its_teams_purchases_only(client, people, purchases):
    client.force_login(people["member_a"])
    page = client.get("/data/purchases/").content.decode()
    assert purchases["a"].contract_number in page and purchases["joint"].contract_number in page
    assert purchases["b"].contract_number not in page
    assert client.get(f"/data/purchases/{purchases['b'].pk}/").status_code == 404
    detail = client.get(f"/data/purchases/{purchases['joint'].pk}/").content.decode()
    assert "2,415,000,000" in detail and "24억 1,500만원" in detail  # each half of KRW 4.83bn incl. VAT


def test_reviewers_see_every_purchase(client, people, purchases):
    client.force_login(people["reviewer"])
    page = client.get("/data/purchases/").content.decode()
    assert all(p.contract_number in page for p in purchases.values())


def _rows(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_exports_hold_only_the_viewers_shares(client, people, purchases):
    client.force_login(people["member_b"])
    rows = _rows(client.get("/data/purchases/export.csv").content)
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [purchases["joint"].contract_number, purchases["b"].contract_number]
    )
    assert {r[9] for r in rows[1:]} == {"2415000000", "1100"}  # team B's shares, never team A's
    client.force_login(people["admin"])
    response = client.get("/data/purchases/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    amounts = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(amounts) == sorted([2_800_000_000, 2_415_000_000, 2_415_000_000, 1_100])


def test_spending_charts_sum_what_the_viewer_may_see(client, people, purchases):
    client.force_login(people["member_a"])
    page = client.get("/data/spending/").content.decode()
    assert "plotly-" in page and "Plotly.newPlot" in page
    data = json.loads(page.split('<script id="spending-data" type="application/json">')[1].split("</script>")[0])
    assert sum(data["by_payer"]["values"]) == 2_800_000_000 + 2_415_000_000
    assert sum(data["by_provider"]["values"]) == sum(data["by_month"]["values"]) == 5_215_000_000
    assert data["by_month"]["labels"] == ["2025-09", "2025-10"]


def test_team_entitlements_for_the_team_reviewers_and_admins(client, people, purchases, team_a):
    url = f"/data/entitlements/{team_a.slug}/"
    client.force_login(people["member_b"])
    assert client.get(url).status_code == 403
    assert team_a.name not in client.get("/data/entitlements/").content.decode()
    for role in ("member_a", "reviewer"):
        client.force_login(people[role])
        page = client.get(url).content.decode()
        assert "자료 open" in page and "자료 closed-weights" in page and "자료 conditional" not in page


def test_the_checkpoint_page_shows_and_takes_the_declaration(client, people, purchases, checkpoint_of, team_a):
    checkpoint = checkpoint_of(team_a)
    url = f"/evaluation/checkpoints/{checkpoint.pk}/"
    client.force_login(people["member_a"])
    page = client.get(url).content.decode()
    assert 'id="training-data"' in page and "학습 데이터 미신고" in page and "data-checkpoint-declare" not in page
    response = client.post(
        f"/data/checkpoints/{checkpoint.pk}/training-data/",
        {
            "releases_openly": "on",
            "dataset_0": "ds-closed-weights",
            "trained_from_0": "2025-11-01",
            "trained_until_0": "2025-11-30",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "부적합" in page and "오픈소스" in page
    client.force_login(people["reviewer"])  # reviewers read it, without the form
    page = client.get(url).content.decode()
    assert "부적합" in page and "training-data/" not in page
    client.force_login(people["member_b"])
    # another team's checkpoint is "not found" (its id tells nothing), as on its own page
    assert client.post(f"/data/checkpoints/{checkpoint.pk}/training-data/", {}).status_code == 404
    assert TrainingDeclaration.objects.get().items.count() == 1


def test_the_declaration_form_reports_bad_rows(client, people, catalogue, checkpoint_of, team_a):
    checkpoint = checkpoint_of(team_a)
    client.force_login(people["member_a"])
    response = client.post(
        f"/data/checkpoints/{checkpoint.pk}/training-data/",
        {"dataset_0": "ds-open", "trained_from_0": "2025-11-30", "trained_until_0": "2025-11-01"},
        follow=True,
    )
    assert not TrainingDeclaration.objects.exists()
    assert list(response.context["messages"])


def test_pages_have_a_fixed_query_count(client, people, buy, team_a, team_b, django_assert_max_num_queries):
    for n in range(8):
        buy(
            teams=[team_a, team_b],
            datasets=("open", "conditional"),
            access_from=D(2010 + n, 1, 1),
            access_until=D(2010 + n, 12, 31),
        )
    client.force_login(people["member_a"])
    for url in (
        "/data/",
        "/data/providers/",
        "/data/purchases/",
        "/data/spending/",
        "/data/purchases/export.csv",
        f"/data/entitlements/{team_a.slug}/",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def _purchase_post(team_a, team_b, **overrides):
    from datasets_registry.models import Dataset, Provider

    data = {
        "kind": "joint",
        "title": "방송 영상",
        "provider": Provider.objects.get(slug="archives").pk,
        "intermediary": Provider.objects.get(slug="nia").pk,
        "datasets": [Dataset.objects.get(slug="ds-open").pk],
        "contract_number": "FORM-1",
        "contract_date": "2025-10-20",
        "price_krw": "4390909091",
        "vat_krw": "439090909",
        "access_from": "2025-10-20",
        "access_until": "2026-12-31",
        "payer_0": f"team:{team_a.slug}",
        "percent_0": "33.3333",
        "payer_1": f"team:{team_b.slug}",
        "percent_1": "66.6667",
    }
    data.update(overrides)
    return data


def test_admins_record_a_purchase_from_the_page(client, people, catalogue, team_a, team_b):
    from datasets_registry.models import Purchase

    client.force_login(people["reviewer"])
    assert client.get("/data/purchases/new/").status_code == 403
    client.force_login(people["admin"])
    response = client.post("/data/purchases/new/", _purchase_post(team_a, team_b, percent_1="60"))
    assert response.status_code == 200 and "100" in response.content.decode()  # the percentages' error
    assert not Purchase.objects.exists()
    response = client.post("/data/purchases/new/", _purchase_post(team_a, team_b))
    purchase = Purchase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/data/purchases/{purchase.pk}/"
    # 4,830,000,000 × 33.3333% = 1,609,998,390 (remainder .0) and × 66.6667% = 3,220,001,610 (.0): exact
    assert sorted(purchase.shares.values_list("amount_krw", flat=True)) == [1_609_998_390, 3_220_001_610]


def test_the_compliance_badge_for_other_pages(buy, checkpoint_of, catalogue, team_a):
    from django.template.loader import render_to_string

    from datasets_registry.selectors import compliance_for_checkpoints
    from datasets_registry.services import training_declaration_set

    checkpoint = checkpoint_of(team_a)
    training_declaration_set(
        actor=None,
        checkpoint=checkpoint,
        releases_openly=False,
        items=[
            {
                "dataset": catalogue["datasets"]["no-training"],
                "trained_from": D(2025, 10, 1),
                "trained_until": D(2025, 10, 2),
            }
        ],
    )
    compliance = compliance_for_checkpoints([checkpoint.pk])[checkpoint.pk]
    html = render_to_string("datasets_registry/_compliance_badge.html", {"compliance": compliance})
    assert "compliance-non_compliant" in html and "부적합" in html and "자료 no-training" in html
