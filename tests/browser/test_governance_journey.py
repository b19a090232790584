"""The cut's governance in a real browser (#17): a reviewer declares a conflict of interest and the
expert-score page then withholds that team; a team lead objects to a finalised result and a reviewer
answers it, and the report lists both; a reviewer filters the audit log and exports it. No evaluation
worker is needed: the stage's official runs are written directly (tests/stages/conftest.py)."""

import pytest
from playwright.sync_api import expect

from governance.models import ConflictOfInterest, Objection
from stages.models import ExpertScore
from stages.services.stages import stage_finalise
from tests.stages.conftest import official_results, stage, suite_version, team_c  # noqa: F401

pytestmark = pytest.mark.slow


def test_a_reviewer_declares_a_conflict_and_cannot_score_that_team(site, people, stage, team_a, team_b, screenshot):
    page = site(people["reviewer"]).page
    page.goto(f"/stages/{stage.slug}/expert-scores/")
    page.locator("main a[href='/conflicts/']").click()
    page.wait_for_url("**/conflicts/")
    expect(page.locator("#my-conflicts tbody tr")).to_have_count(1)  # "none"
    page.select_option("#id_team", str(team_a.pk))
    page.fill("#id_reason", "Advised Team A last year")
    page.locator("#conflict-declare button[type=submit]").click()
    expect(page.locator("#my-conflicts tr[data-team='team-a']")).to_contain_text("Advised Team A last year")
    expect(page.locator("#declared-conflicts tbody")).to_contain_text("Advised Team A last year")
    assert ConflictOfInterest.objects.filter(reviewer=people["reviewer"], team=team_a).exists()
    screenshot(page, "governance-conflicts")

    page.goto(f"/stages/{stage.slug}/expert-scores/")
    row_a = page.locator("#expert-grid tr[data-team='team-a']")
    expect(row_a.locator(".conflict-reason")).to_contain_text("Advised Team A last year")
    expect(row_a.locator("input")).to_have_count(0)
    page.fill(f"input[name='score-{team_b.pk}-technology']", "8")
    page.locator("button[name=save]").click()
    expect(page.locator(f"input[name='score-{team_b.pk}-technology']")).to_have_value("8.00")
    assert list(ExpertScore.objects.values_list("team__slug", flat=True)) == ["team-b"]


def test_a_lead_objects_and_a_reviewer_answers_on_the_report(site, people, official_results, team_a, screenshot):
    stage_finalise(actor=people["admin"], stage=official_results)
    lead = site(people["member_a"]).page
    lead.goto(f"/stages/{official_results.slug}/")
    lead.locator(f"main a[href='/stages/{official_results.slug}/objections/']").click()
    lead.fill("#id_text", "Our nia_mc items were scored with the wrong filter.")
    lead.select_option("#id_task", "nia_mc")
    lead.locator("#objection-file button[type=submit]").click()
    row = lead.locator("#objections tbody tr[data-status='open']")
    expect(row).to_contain_text("wrong filter")
    objection = Objection.objects.get()

    reviewer = site(people["reviewer"]).page
    reviewer.goto(f"/stages/{official_results.slug}/objections/")
    form = reviewer.locator(f"tr[data-objection='{objection.pk}'] form.answer-form")
    form.locator("textarea").fill("The suite metric's own filter was used; see the run log.")
    form.locator("select").select_option("rejected")
    form.locator("button").click()
    expect(reviewer.locator(f"tr[data-objection='{objection.pk}']")).to_have_attribute("data-status", "rejected")
    screenshot(reviewer, "governance-objections")

    lead.goto(f"/stages/{official_results.slug}/report/")
    answered = lead.locator(f"#report-objections tr[data-objection='{objection.pk}']")
    expect(answered).to_contain_text("wrong filter")
    expect(answered).to_contain_text("see the run log")
    expect(lead.locator("#stage-result td[data-reviewers]")).to_have_count(3)


def test_a_reviewer_filters_the_audit_log_and_exports_it(site, people, stage, team_a, screenshot):
    visitor = site(people["reviewer"])
    page = visitor.page
    page.locator("header nav a[href='/audit/']").click()
    page.wait_for_url("**/audit/")
    head = page.locator("#head-hash").inner_text().strip()
    assert len(head) == 64
    page.select_option("#audit-filter select[name=action]", "stage.create")
    page.locator("#audit-filter button[type=submit]").click()
    expect(page.locator("#audit-events tbody tr")).to_have_count(1)
    expect(page.locator("#audit-events tbody")).to_contain_text("stage.create")
    screenshot(page, "audit-log")
    href = page.locator("#audit-csv").get_attribute("href")
    exported = visitor.get(href)
    assert exported.ok
    lines = exported.text().strip().splitlines()
    assert lines[0].startswith("seq,time,actor,action") and len(lines) == 2 and "stage.create" in lines[1]
