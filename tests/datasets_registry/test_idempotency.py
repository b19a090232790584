"""A data purchase retried with its Idempotency-Key is recorded once (core.idempotency)."""

import pytest

from audit.models import AuditEvent
from datasets_registry.models import Entitlement, Purchase, PurchaseShare
from tests.support.idempotency import race_api_posts

from .test_api import purchase_body


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_purchases_with_one_key_record_one_purchase(people, catalogue, team_a, team_b):
    events = AuditEvent.objects.count()
    answers = race_api_posts(
        people["admin"], "/api/data-purchases/", purchase_body(team_a, team_b), key="contract-API-1", n=50
    )
    assert len(answers) == 50 and {status for status, _ in answers} == {201}, answers
    assert len(set(answers)) == 1
    assert Purchase.objects.count() == 1 and PurchaseShare.objects.count() == 2
    assert Entitlement.objects.count() == 2
    assert AuditEvent.objects.filter(action="purchase.create").count() == 1
    assert AuditEvent.objects.filter(action="entitlement.grant").count() == 2
    assert AuditEvent.objects.count() == events + 3  # one purchase's rows: itself and its two entitlements


def test_the_same_key_for_another_purchase_is_a_422(api_client, people, catalogue, team_a, team_b):
    api_client.force_authenticate(people["admin"])
    assert (
        api_client.post(
            "/api/data-purchases/", purchase_body(team_a, team_b), format="json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 201
    )
    other = api_client.post(
        "/api/data-purchases/",
        purchase_body(team_a, team_b, contract_number="API-2"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Purchase.objects.count() == 1
