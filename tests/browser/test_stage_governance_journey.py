"""#17 A in a real browser: an admin reads what blocks finalisation, requests a failed official run
again, decides an originality verdict the worker turned into a gate item, edits a rubric in the
admin, and activates a suite version there."""

import json

import pytest
from playwright.sync_api import expect

from evaluation.models import RunStatus, SuiteVersion
from evaluation.selectors import suite_version_current
from leaderboards.models import Leaderboard, ReferenceModel
from originality import compare
from originality.services import _store_result
from stages.models import GateStatus, Nomination, OriginalityGateItem, RubricPart
from tests.stages.test_rubric_edit import TREE
from tests.support.workers import wait_for

from .test_journeys import stage_in_scoring  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow


def test_an_admin_clears_what_blocks_finalisation(platform, visitors, stage_in_scoring, screenshot):  # noqa: F811
    stage, teams = stage_in_scoring
    people, log = platform["people"], platform["dirs"]["log"]
    failed = Nomination.objects.select_related("official_run").get(stage=stage, team=teams[0])
    failed.official_run.status = RunStatus.FAILED
    failed.official_run.save()
    failed.official_run.task_results.all().delete()
    flagged = Nomination.objects.select_related("checkpoint").get(stage=stage, team=teams[2])
    _store_result(
        flagged.checkpoint,
        compare.Verdict(
            verdict="derived",
            matched_share=0.9,
            best_reference=None,
            max_similarity=0.99,
            informative_parameters=1000,
            matches=[],
        ),
        {},
        threshold=0.95,
        derived_share=0.5,
    )
    # The originality app announced its verdict by name; the stages worker opened the gate item.
    wait_for(
        lambda: OriginalityGateItem.objects.filter(nomination=flagged).exists(),
        timeout=60,
        what="the worker to open the gate item",
        log=log,
    )

    admin = visitors(people["admin"]).page
    admin.goto(f"/stages/{stage.slug}/")
    blockers = admin.locator("#blockers li.blocker")
    expect(blockers).to_have_count(2)
    expect(admin.locator("#blockers li.blocker-run_failed")).to_contain_text(teams[0].name_ko)
    expect(admin.locator("#blockers li.blocker-originality")).to_contain_text(teams[2].name_ko)
    screenshot(admin, "stage-blockers", full_page=True)

    admin.fill("#blockers li.blocker-run_failed input[name=reason]", "GPU 노드 재시작")
    admin.locator("#blockers li.blocker-run_failed button").click()
    expect(admin.locator("ul.messages li.success")).to_be_visible()
    assert Nomination.objects.get(pk=failed.pk).official_run_id != failed.official_run_id

    admin.select_option("#blockers li.blocker-originality select[name=decision]", "excluded")
    admin.fill("#blockers li.blocker-originality input[name=reason]", "공개되지 않은 파생 모델")
    admin.locator("#blockers li.blocker-originality button").click()
    expect(admin.locator("ul.messages li.success")).to_be_visible()
    expect(admin.locator("#blockers li.blocker-originality")).to_have_count(0)
    expect(admin.locator("#blockers tr.gate-item")).to_contain_text("공개되지 않은 파생 모델")
    assert OriginalityGateItem.objects.get(nomination=flagged).status == GateStatus.EXCLUDED
    assert stage.entries.get(team=teams[2]).excluded_reason == "공개되지 않은 파생 모델"


def test_an_admin_edits_a_rubric_and_activates_a_suite_version(platform, visitors, stage_in_scoring):  # noqa: F811
    stage, _teams = stage_in_scoring
    admin = visitors(platform["people"]["admin"]).page
    admin.goto("/admin/stages/stage/")
    admin.locator(f"a[href$='/admin/stages/stage/{stage.pk}/rubric/']").click()
    assert json.loads(admin.input_value("#id_rubric"))[0]["key"] == "benchmarks"
    broken = [dict(p) for p in TREE]
    broken[0] = dict(broken[0], points="60")
    admin.fill("#id_rubric", json.dumps(broken, ensure_ascii=False))
    admin.fill("#id_tie_break", "bench")
    admin.locator("#rubric-form input[type=submit]").click()
    expect(admin.locator("#rubric-form .errornote")).to_contain_text("bench")
    admin.fill("#id_rubric", json.dumps(TREE, ensure_ascii=False, indent=1))
    admin.fill("#id_tie_break", "tech, bench")
    admin.locator("#rubric-form input[type=submit]").click()
    expect(admin.locator("ul.messagelist li.success")).to_be_visible()
    assert RubricPart.objects.get(stage=stage, key="nia").parent.key == "korean"

    suite = stage.suite_version.suite
    SuiteVersion.objects.create(suite=suite, number=2, digest="2" * 64)
    admin.goto(f"/admin/evaluation/suiteversion/?suite__id__exact={suite.pk}")
    admin.locator(f"input[name=_selected_action][value='{stage.suite_version_id}']").check()
    admin.select_option("select[name=action]", "activate")
    admin.locator("button[name=index]").click()
    expect(admin.locator("ul.messagelist li.success")).to_be_visible()
    assert suite_version_current(slug=suite.slug) == stage.suite_version

    # A frontier model's published scores, entered by hand (through reference_model_save).
    admin.goto("/admin/leaderboards/referencemodel/add/")
    admin.select_option("#id_suite_version", str(stage.suite_version_id))
    admin.fill("#id_name", "Frontier-Z")
    admin.fill("#id_scores", '{"no_such_task": 0.5}')
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".errornote, .errorlist").first).to_be_visible()  # the service's refusal, on the form
    admin.fill("#id_scores", '{"nia_mc": 0.7, "global_mc": [0.8, 0.01]}')
    admin.locator("input[name=_save]").click()
    expect(admin.locator("ul.messagelist li.success")).to_be_visible()
    assert {(s.task, s.value) for s in ReferenceModel.objects.get(name="Frontier-Z").scores.all()} == {
        ("nia_mc", 0.7),
        ("global_mc", 0.8),
    }

    # A leaderboard over the stage's nominated checkpoints (through leaderboard_create): the nominated
    # rule without a stage is refused on the form, with one it is saved.
    admin.goto("/admin/leaderboards/leaderboard/add/")
    admin.fill("#id_slug", "stage-board")
    admin.fill("#id_name_ko", "단계 리더보드")
    admin.fill("#id_name_en", "Stage board")
    admin.select_option("#id_suite_version", str(stage.suite_version_id))
    admin.select_option("#id_rule", "nominated")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".errornote, .errorlist").first).to_be_visible()
    admin.select_option("#id_stage", str(stage.pk))
    admin.locator("input[name=_save]").click()
    expect(admin.locator("ul.messagelist li.success")).to_be_visible()
    assert Leaderboard.objects.get(slug="stage-board").stage == stage
