"""The stage page's buttons: each goes through its service and says what happened."""

from django.contrib.messages import get_messages

from stages.models import StageTeam


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_exclusion_needs_a_reason_then_is_shown(client, people, official_results, team_a):
    client.force_login(people["admin"])
    client.cookies["django_language"] = "en"
    url = f"/stages/{official_results.slug}/exclude/"
    refused = client.post(url, {"team": team_a.pk, "reason": " "})
    assert refused.status_code == 302 and any("reason" in m for m in _messages(refused))
    assert not StageTeam.objects.get(stage=official_results, team=team_a).is_excluded
    done = client.post(url, {"team": team_a.pk, "reason": "Derived weights."})
    assert any("excluded" in m for m in _messages(done))
    assert "Derived weights." in client.get(f"/stages/{official_results.slug}/").content.decode()


def test_finalise_button(client, people, official_results):
    client.force_login(people["admin"])
    client.cookies["django_language"] = "en"
    response = client.post(f"/stages/{official_results.slug}/finalise/")
    assert any("finalised" in m for m in _messages(response))
    official_results.refresh_from_db()
    assert official_results.is_finalised
