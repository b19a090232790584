"""The budget's admin: every list opens; a rate is added through the audited service."""

import pytest

from audit.models import AuditEvent
from budget.models import Rate


@pytest.mark.parametrize(
    "model",
    [
        "gputype",
        "provider",
        "rate",
        "slurmaccount",
        "ledgerentry",
        "envelope",
        "allocation",
        "usageimport",
        "budgetalert",
        "reallocationrequest",
    ],
)
def test_lists_open(client, people, catalogue, envelope, model):
    client.force_login(people["admin"])
    assert client.get(f"/admin/budget/{model}/").status_code == 200


def test_a_rate_added_in_the_admin_is_audited(client, people, catalogue):
    client.force_login(people["admin"])
    response = client.post(
        "/admin/budget/rate/add/",
        {
            "gpu_type": catalogue["b200"].pk,
            "provider": catalogue["provider"].pk,
            "effective_from": "2026-01-01",
            "krw_per_gpu_hour": 12000,
        },
    )
    assert response.status_code == 302, response.content[:500]
    rate = Rate.objects.get(effective_from="2026-01-01")
    assert AuditEvent.objects.filter(action="budget.rate.create", target_id=str(rate.pk)).exists()
