"""Admin pages for suites, leaderboards, reference scores and stages (#17): every write goes through
its service (validated and audited like the API); a refusal is shown on the form."""

import json

import pytest
from django.utils.html import escape

from audit.models import AuditEvent
from evaluation.models import SuiteVersion
from evaluation.selectors import suite_version_current, suites_current
from leaderboards.models import Leaderboard, ReferenceModel
from stages.models import Nomination, OriginalityGateItem, RubricPart, Stage
from stages.services.rubric import rubric_of
from stages.services.scores import expert_scores_save
from tests.support.factories import ProgrammeFactory

from .test_rubric_edit import TREE


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    client.cookies["django_language"] = "en"
    return client


def test_every_new_admin_page_opens_for_admins_only(admin_client, client, people, official_results, team_a):
    stage = official_results
    OriginalityGateItem.objects.create(
        stage=stage,
        nomination=Nomination.objects.get(stage=stage, team=team_a),
        report=_report(stage, team_a),
        verdict="derived",
        opened_at=stage.created_at,
    )
    pages = [
        "/admin/evaluation/suite/",
        f"/admin/evaluation/suite/{stage.suite_version.suite_id}/change/",
        "/admin/evaluation/suiteversion/",
        f"/admin/evaluation/suiteversion/{stage.suite_version_id}/change/",
        "/admin/leaderboards/leaderboard/",
        "/admin/leaderboards/leaderboard/add/",
        "/admin/leaderboards/referencemodel/",
        "/admin/leaderboards/referencemodel/add/",
        f"/admin/leaderboards/referencemodel/{ReferenceModel.objects.get().pk}/change/",
        "/admin/stages/stage/",
        "/admin/stages/stage/add/",
        f"/admin/stages/stage/{stage.pk}/change/",
        f"/admin/stages/stage/{stage.pk}/rubric/",
        "/admin/stages/nomination/",
        "/admin/stages/originalitygateitem/",
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    client.force_login(people["reviewer"])
    assert all(client.get(page).status_code == 302 for page in pages)  # to the admin's login


def _report(stage, team):
    from originality.models import OriginalityReport

    nomination = Nomination.objects.get(stage=stage, team=team)
    return OriginalityReport.objects.create(checkpoint=nomination.checkpoint, status="done", verdict="derived")


def test_a_suite_version_is_activated_through_the_service(admin_client, people, suite_version):
    suite = suite_version.suite
    newer = SuiteVersion.objects.create(suite=suite, number=2, digest="2" * 64)
    assert suite_version_current(slug=suite.slug) == newer  # nothing activated: the latest
    response = admin_client.post(
        "/admin/evaluation/suiteversion/", {"action": "activate", "_selected_action": [suite_version.pk]}, follow=True
    )
    assert "is now the active version" in response.content.decode()
    assert suite_version_current(slug=suite.slug) == suite_version
    assert suite_version in suites_current() and newer not in suites_current()
    event = AuditEvent.objects.get(action="suite.activate")
    assert event.actor == people["admin"] and event.after["active_version"] == suite_version.pk


def test_a_leaderboard_is_added_through_the_service_and_a_refusal_is_shown(admin_client, people, suite_version):
    base = {"slug": "board", "name_ko": "보드", "name_en": "Board", "suite_version": suite_version.pk}
    refused = admin_client.post("/admin/leaderboards/leaderboard/add/", {**base, "rule": "nominated"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors  # the stage is missing
    assert not Leaderboard.objects.exists()
    response = admin_client.post("/admin/leaderboards/leaderboard/add/", {**base, "rule": "best"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="leaderboard.create").actor == people["admin"]


def test_reference_scores_are_saved_and_replaced_through_the_service(admin_client, people, suite_version):
    add = {"suite_version": suite_version.pk, "name": "Frontier-Y", "source": "paper"}
    refused = admin_client.post("/admin/leaderboards/referencemodel/add/", {**add, "scores": '{"no_such_task": 0.5}'})
    assert refused.status_code == 200 and not ReferenceModel.objects.exists()
    response = admin_client.post("/admin/leaderboards/referencemodel/add/", {**add, "scores": '{"nia_mc": 0.5}'})
    assert response.status_code == 302, response.context["adminform"].form.errors
    reference = ReferenceModel.objects.get()
    response = admin_client.post(
        f"/admin/leaderboards/referencemodel/{reference.pk}/change/",
        {
            "source": "report v2",
            "scores": '{"nia_mc": 0.6}',
            "scores-TOTAL_FORMS": 1,
            "scores-INITIAL_FORMS": 1,
            "scores-MIN_NUM_FORMS": 0,
            "scores-MAX_NUM_FORMS": 1000,
            "scores-0-id": reference.scores.get().pk,
            "scores-0-reference": reference.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [(s.task, s.value) for s in reference.scores.all()] == [("nia_mc", 0.6)]
    events = AuditEvent.objects.filter(action="reference.save").order_by("seq")
    assert [e.actor for e in events] == [people["admin"]] * 2 and events[1].before["scores"] == {"nia_mc": [0.5, None]}


def test_a_stage_is_defined_in_the_admin_through_the_service(admin_client, people, suite_version, team_a, team_b):
    response = admin_client.post(
        "/admin/stages/stage/add/",
        {
            "programme": ProgrammeFactory().pk,
            "slug": "stage-9",
            "name_ko": "9차",
            "name_en": "Ninth",
            "order": 1,
            "advancing_count": 1,
            "suite_version": suite_version.pk,
            "nomination_deadline_0": "2026-12-31",
            "nomination_deadline_1": "18:00",
            "benchmark_scoring": "target_ratio",
            "expert_aggregation": "trimmed_mean",
            "trim_fraction": "0.10",
            "target_goal_percent": "95",
            "bootstrap_samples": 100,
            "bootstrap_seed": 1,
            "teams": [team_a.pk, team_b.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    stage = Stage.objects.get(slug="stage-9")
    assert stage.entries.count() == 2 and stage.rubric.count() == 6  # the default rubric, edited next
    assert AuditEvent.objects.get(action="stage.create").actor == people["admin"]


def test_the_rubric_tree_is_edited_in_the_admin_until_the_stage_has_scores(
    admin_client, people, official_results, team_a
):
    stage = official_results
    url = f"/admin/stages/stage/{stage.pk}/rubric/"
    assert escape('"key": "benchmarks"') in admin_client.get(url).content.decode()
    bad = [dict(p) for p in TREE]
    bad[0] = dict(bad[0], points="60")
    before = rubric_of(stage)
    refused = admin_client.post(url, {"rubric": json.dumps(bad), "tie_break": "bench"})
    assert refused.status_code == 200 and "add up" in refused.content.decode() and rubric_of(stage) == before
    saved = admin_client.post(url, {"rubric": json.dumps(TREE), "tie_break": "tech, bench"})
    assert saved.status_code == 302
    assert RubricPart.objects.get(stage=stage, key="nia").parent.key == "korean"
    assert Stage.objects.get(pk=stage.pk).tie_break == ["tech", "bench"]
    assert AuditEvent.objects.get(action="stage.rubric_replace").actor == people["admin"]

    expert_scores_save(actor=people["reviewer"], stage=stage, scores={(team_a.pk, "architecture"): "4"})
    page = admin_client.get(url).content.decode()
    assert "The rubric is frozen" in page and "Save the rubric" not in page
    frozen = admin_client.post(url, {"rubric": json.dumps(TREE), "tie_break": "tech"})
    assert frozen.status_code == 200 and "frozen" in frozen.content.decode()
