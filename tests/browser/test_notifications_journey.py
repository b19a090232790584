"""In a real browser (#17): a team lead sees the unread count in the header, opens the inbox,
follows a notification to its stage (marking it read), and chooses what to receive; a team
compares two of its checkpoints and sees the chart. No evaluation worker is needed here."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification, NotificationPreference
from stages.services.stages import stage_create
from tests.comparisons.test_compare import TASKS, N, _log, _write_log
from tests.support.factories import ProgrammeFactory
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version

from .helpers import plotted

pytestmark = pytest.mark.slow


def test_a_lead_reads_a_notification_and_chooses_what_to_receive(site, people, team_a, team_b, screenshot):
    stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="first",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=1,
        suite_version=make_suite_version(),
        nomination_deadline=timezone.now() + datetime.timedelta(days=3),
        teams=[team_a, team_b],
    )
    lead = site(people["member_a"])  # member-a leads team A
    page = lead.page
    page.goto("/")
    expect(page.locator("#nav-unread")).to_have_text("1")  # fetched by the page
    page.locator("#nav-inbox").click()
    page.wait_for_url("**/notifications/")
    row = page.locator("#notification-list tr[data-state='unread']")
    expect(row).to_have_count(1)
    screenshot(page, "notifications-inbox")
    row.locator("form:has(input[name=go]) button").click()  # "Open": marks it read and follows its link
    page.wait_for_url("**/stages/first/")
    expect(page.locator("#nav-unread")).to_be_hidden()
    assert Notification.objects.get(recipient=people["member_a"]).read_at is not None

    page.goto("/accounts/")
    page.locator("main a[href='/notifications/preferences/']").click()
    page.wait_for_url("**/notifications/preferences/")
    page.locator("tr[data-kind='run_failed'] input[name='run_failed-email']").uncheck()
    page.locator("#notification-preferences button[type=submit]").click()
    page.wait_for_url("**/notifications/preferences/")
    expect(page.locator("tr[data-kind='run_failed'] input[name='run_failed-email']")).not_to_be_checked()
    expect(page.locator("tr[data-kind='run_failed'] input[name='run_failed-in_platform']")).to_be_checked()
    chosen = NotificationPreference.objects.get(user=people["member_a"], kind="run_failed")
    assert (chosen.in_platform, chosen.email) == (True, False)


def test_a_team_compares_two_of_its_checkpoints(site, people, team_a, settings, tmp_path, screenshot):
    settings.EVAL_RUNS_DIR = tmp_path / "runs"
    suite = make_suite_version(TASKS)
    half, ones = [float(i % 2) for i in range(N)], [1.0] * N
    old, new = make_checkpoint(team_a, name="v-old"), make_checkpoint(team_a, name="v-new")
    make_run(
        old,
        suite,
        {"mc": 0.5, "gsm": 0.5, "secret": 0.5},
        samples_file=_write_log(settings.EVAL_RUNS_DIR, "old.jsonl.gz", _log(half, half, half)),
    )
    make_run(
        new,
        suite,
        {"mc": 1.0, "gsm": 1.0, "secret": 0.5},
        samples_file=_write_log(settings.EVAL_RUNS_DIR, "new.jsonl.gz", _log(ones, ones, half)),
    )
    from evaluation.models import SuiteTask

    SuiteTask.objects.filter(suite_version=suite, task="gsm").update(metric="exact_match,strict-match")
    SuiteTask.objects.filter(suite_version=suite, task="secret").update(hidden=True)

    page = site(people["member_a"]).page
    page.goto("/evaluation/")
    page.locator("#compare-link").click()
    page.wait_for_url("**/evaluation/compare/")
    page.select_option("#compare-a", str(old.pk))
    page.select_option("#compare-b", str(new.pk))
    page.locator("#compare-form button[type=submit]").click()
    page.wait_for_url(f"**/evaluation/compare/?a={old.pk}&b={new.pk}")
    table = page.locator("#comparison-table")
    expect(table.locator("tbody tr")).to_have_count(2)  # the hidden task is not shown to a team
    expect(table.locator("tr[data-task='mc'] td.interval")).to_contain_text("[")
    page.wait_for_function("() => (document.getElementById('chart-difference').data || []).length > 0")
    bars = plotted(page, "chart-difference")
    assert bars[0]["y"] == ["mc", "gsm"] and bars[0]["x"] == [0.5, 0.5]
    screenshot(page, "compare-checkpoints", full_page=True)
    # Choosing a run of A keeps B on the same suite version.
    page.select_option("#compare-run-a", index=1)
    page.locator("#compare-form button[type=submit]").click()
    expect(page.locator("#comparison-table tbody tr")).to_have_count(2)
