"""seed_programme loads the real programme and is idempotent."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command

from consortium.models import Membership, Team
from consortium.seed import seed_programme


def _row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_programme")


def test_five_teams_of_2025_08_04(seeded):
    teams = Team.objects.order_by("joined_on", "id")
    assert [t.model_name for t in teams] == ["K-EXAONE", "", "Solar", "A.X K1", "VARCO"]
    assert {t.joined_on for t in teams} == {datetime.date(2025, 8, 4)}
    assert {t.status for t in teams} == {"active"}


def test_lg_has_ten_members_then_elice_joins(seeded):
    lg = Team.objects.get(slug="lg-ai-research")
    before = Membership.objects.active_on(datetime.date(2026, 1, 31)).filter(team=lg)
    after = Membership.objects.active_on(datetime.date(2026, 2, 1)).filter(team=lg)
    assert before.count() == 10
    assert after.count() == 11
    assert set(after.values_list("organisation__slug", flat=True)) - set(
        before.values_list("organisation__slug", flat=True)
    ) == {"elice"}
    roles = {m.organisation.slug: m.role_codes for m in after.prefetch_related("roles").select_related("organisation")}
    assert roles["lg-ai-research"] == ["lead", "model_development"]
    assert roles["furiosa-ai"] == ["infrastructure"]
    assert roles["friendli-ai"] == ["serving"]
    assert roles["hancom"] == ["service"]


def test_member_counts_of_the_other_teams(seeded):
    day = datetime.date(2025, 12, 1)
    counts = {t.slug: Membership.objects.active_on(day).filter(team=t).count() for t in Team.objects.all()}
    assert counts == {"lg-ai-research": 10, "naver-cloud": 8, "upstage": 13, "sk-telecom": 8, "nc-ai": 14}


def test_running_twice_changes_nothing(seeded):
    counts = _row_counts()
    report = seed_programme()
    assert not report.changed
    assert _row_counts() == counts


def test_later_corrections_survive_reseeding(seeded):
    from consortium import services
    from consortium.models import Organisation

    elice = Membership.objects.get(organisation__slug="elice")
    services.membership_update(actor=None, membership=elice, joined_on=datetime.date(2026, 2, 12))
    services.organisation_update(
        actor=None, organisation=Organisation.objects.get(slug="hancom"), name_en="Hancom Inc."
    )
    counts = _row_counts()
    assert not seed_programme().changed
    assert _row_counts() == counts
    assert Membership.objects.get(organisation__slug="elice").joined_on == datetime.date(2026, 2, 12)
    assert Organisation.objects.get(slug="hancom").name_en == "Hancom Inc."


def test_a_missing_member_is_added_back(seeded):
    Membership.objects.get(organisation__slug="elice").delete()
    assert seed_programme().created == ["membership lg-ai-research/elice"]
