"""The API: who may read and write what, and 400s with field errors that write nothing."""

import pytest

from audit.models import AuditEvent
from datasets_registry.models import Entitlement, Purchase, TrainingDeclaration

from .conftest import D


def purchase_body(team_a, team_b, **overrides):
    body = {
        "kind": "joint",
        "title": "공동구매",
        "provider": "archives",
        "intermediary": "nia",
        "datasets": ["ds-open"],
        "contract_number": "API-1",
        "contract_date": "2025-09-15",
        "price_krw": 4_390_909_091,
        "vat_krw": 439_090_909,
        "access_from": "2025-09-15",
        "access_until": "2026-12-31",
        "shares": [{"team": team_a.slug, "percent": "50"}, {"team": team_b.slug, "percent": "50"}],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("role,code", [("anonymous", 401), ("member_a", 403), ("reviewer", 403), ("admin", 201)])
def test_only_admins_record_purchases(api_client, people, catalogue, team_a, team_b, role, code):
    if role != "anonymous":
        api_client.force_authenticate(people[role])
    response = api_client.post("/api/data-purchases/", purchase_body(team_a, team_b), format="json")
    assert response.status_code == code
    if code == 201:
        assert response.data["total_krw"] == 4_830_000_000
        assert [s["amount_krw"] for s in response.data["shares"]] == [2_415_000_000, 2_415_000_000]
    else:
        assert not Purchase.objects.exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"price_krw": -5}, "price_krw"),
        ({"shares": [{"team": "team-a", "percent": "50"}, {"team": "team-b", "percent": "40"}]}, "shares"),
        ({"shares": [{"team": "team-a", "fixed_krw": 1}, {"team": "team-b", "fixed_krw": 2}]}, "shares"),
        ({"datasets": ["no-such-dataset"]}, "datasets"),
        ({"datasets": []}, "datasets"),
        ({"access_until": "2025-01-01"}, "access_until"),
    ],
)
def test_bad_purchases_are_400_with_field_errors_and_write_nothing(
    api_client, people, catalogue, team_a, team_b, overrides, field
):
    api_client.force_authenticate(people["admin"])
    events = AuditEvent.objects.count()
    response = api_client.post("/api/data-purchases/", purchase_body(team_a, team_b, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Purchase.objects.exists() and not Entitlement.objects.exists()
    assert AuditEvent.objects.count() == events


def test_overlapping_entitlement_is_a_400(api_client, people, catalogue, team_a, team_b):
    api_client.force_authenticate(people["admin"])
    assert api_client.post("/api/data-purchases/", purchase_body(team_a, team_b), format="json").status_code == 201
    response = api_client.post(
        "/api/data-purchases/", purchase_body(team_a, team_b, contract_number="API-2"), format="json"
    )
    assert response.status_code == 400 and "entitlements" in response.data
    assert Purchase.objects.count() == 1


@pytest.fixture
def two_purchases(buy, team_a, team_b):
    return buy(teams=[team_a], datasets=("open",)), buy(teams=[team_b], datasets=("conditional",))


@pytest.mark.parametrize(
    "role,seen",
    [
        ("anonymous", set()),
        ("member_a", {"team-a"}),
        ("member_b", {"team-b"}),
        ("reviewer", {"team-a", "team-b"}),
        ("admin", {"team-a", "team-b"}),
    ],
)
def test_purchases_and_entitlements_are_seen_by_their_team_reviewers_and_admins(
    api_client, people, two_purchases, role, seen
):
    if role != "anonymous":
        api_client.force_authenticate(people[role])
    purchases = api_client.get("/api/data-purchases/").data["results"]
    assert {s["team"] for p in purchases for s in p["shares"]} == seen
    entitlements = api_client.get("/api/data-entitlements/").data["results"]
    assert {e["team"] for e in entitlements} == seen
    other = two_purchases[1]
    expected = 200 if "team-b" in seen else 404
    assert api_client.get(f"/api/data-purchases/{other.pk}/").status_code == expected


def test_the_catalogue_is_public_with_search_and_filters(api_client, catalogue):
    assert len(api_client.get("/api/datasets/").data["results"]) == 4
    assert [d["slug"] for d in api_client.get("/api/datasets/?training=prohibited").data["results"]] == [
        "ds-no-training"
    ]
    assert [d["slug"] for d in api_client.get("/api/datasets/?q=closed").data["results"]] == ["ds-closed-weights"]
    assert [d["slug"] for d in api_client.get("/api/datasets/?modality=video").data["results"]] == ["ds-closed-weights"]
    assert api_client.get("/api/data-providers/archives/").data["kind"] == "public_body"
    assert api_client.get("/api/licences/no-training/").data["training"] == "prohibited"


def test_admin_revokes_through_the_api(api_client, people, two_purchases):
    entitlement = two_purchases[0].entitlements.get()
    api_client.force_authenticate(people["member_a"])
    assert api_client.post(f"/api/data-entitlements/{entitlement.pk}/revoke/", {"reason": "x"}).status_code == 403
    api_client.force_authenticate(people["admin"])
    response = api_client.post(
        f"/api/data-entitlements/{entitlement.pk}/revoke/", {"reason": "licence breach", "revoked_on": "2025-12-01"}
    )
    assert response.status_code == 200 and response.data["revoked_on"] == "2025-12-01"
    assert api_client.post(f"/api/data-entitlements/{entitlement.pk}/revoke/", {}).status_code == 400


class TestDeclarations:
    def body(self, checkpoint, *slugs, openly=False):
        return {
            "checkpoint": checkpoint.pk,
            "releases_openly": openly,
            "items": [{"dataset": s, "trained_from": "2025-10-01", "trained_until": "2025-11-30"} for s in slugs],
        }

    def test_the_team_declares_and_reads_compliance(self, api_client, people, buy, checkpoint_of, team_a):
        buy(teams=[team_a], datasets=("closed-weights",))
        checkpoint = checkpoint_of(team_a)
        api_client.force_authenticate(people["member_a"])
        response = api_client.post(
            "/api/training-declarations/", self.body(checkpoint, "ds-closed-weights", openly=True), format="json"
        )
        assert response.status_code == 201
        assert response.data["compliance"]["status"] == "non_compliant"
        api_client.force_authenticate(people["reviewer"])
        assert api_client.get(f"/api/training-declarations/{checkpoint.pk}/").data["items"][0]["dataset"] == (
            "ds-closed-weights"
        )
        api_client.force_authenticate(people["member_b"])
        # another team's checkpoint is "not found", as on /api/checkpoints/<id>/
        assert api_client.get(f"/api/training-declarations/{checkpoint.pk}/").status_code == 404
        assert (
            api_client.post("/api/training-declarations/", self.body(checkpoint, "ds-open"), format="json").status_code
            == 404
        )

    def test_unknown_dataset_is_a_400_and_writes_nothing(self, api_client, people, catalogue, checkpoint_of, team_a):
        checkpoint = checkpoint_of(team_a)
        api_client.force_authenticate(people["member_a"])
        response = api_client.post(
            "/api/training-declarations/", self.body(checkpoint, "ds-open", "ghost"), format="json"
        )
        assert response.status_code == 400 and "items" in response.data
        assert not TrainingDeclaration.objects.exists()
        response = api_client.post(
            "/api/training-declarations/",
            {
                **self.body(checkpoint, "ds-open"),
                "items": [{"dataset": "ds-open", "trained_from": "2025-12-01", "trained_until": "2025-01-01"}],
            },
            format="json",
        )
        assert response.status_code == 400 and "items" in response.data
        assert not TrainingDeclaration.objects.exists()


def test_list_endpoints_have_a_fixed_query_count(
    api_client, people, buy, team_a, team_b, django_assert_max_num_queries
):
    for n in range(6):
        buy(teams=[team_a, team_b], datasets=("open",), access_from=D(2020 + n, 1, 1), access_until=D(2020 + n, 12, 31))
    api_client.force_authenticate(people["member_a"])
    for url in ("/api/data-purchases/", "/api/data-entitlements/", "/api/datasets/"):
        with django_assert_max_num_queries(8):
            assert api_client.get(url).status_code == 200
