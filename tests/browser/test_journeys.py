"""The platform as its users meet it, in a real browser: a member firm, another team, an admin,
a reviewer and the public. Each journey is one test; see conftest.py for the machinery."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budget.models import GpuType, ImportStatus, Provider, Rate, SlurmAccount, UsageImport
from budget.services.allocations import envelope_create
from evaluation.models import Checkpoint, EvaluationRun, RunStatus
from evaluation.services.checkpoints import checkpoint_submit
from leaderboards.models import RowRule, Snapshot
from leaderboards.services import leaderboard_create, reference_model_save, snapshot_publish
from stages.models import Nomination, NominationStatus, StageStatus
from stages.services.stages import stage_create
from tests.support.factories import OrganisationFactory, ProgrammeFactory, TeamFactory
from tests.support.results_builder import make_checkpoint, make_run, make_suite_version
from tests.support.workers import copy_checkpoint, wait_for

from .helpers import HANGUL, PASSWORD, in_language, plotted

pytestmark = pytest.mark.slow

RUN_TIMEOUT_MS = 240_000  # validation + a warm worker's ko-smoke run, on a loaded machine


def _names(team) -> tuple[str, str]:
    return team.name_ko, team.name_en


# 1 ─────────────────────────────────────────────────────────────────────────────────────────────
def test_a_member_firm_submits_a_checkpoint_and_reads_its_results(
    platform, visitors, ko_smoke, tiny_checkpoint, screenshot
):
    team = platform["team_a"]
    copy_checkpoint(tiny_checkpoint, platform["dirs"]["checkpoints"], team.slug, "browser-v1")
    member = visitors(None)
    page = member.page
    page.goto("/evaluation/")
    assert "/accounts/login/" in page.url  # the evaluation pages need a login
    page.fill("#id_username", platform["people"]["member_a"].get_username())
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^[^?]*/evaluation/$"))  # back where the login was asked for

    page.locator("main a[href$='/evaluation/checkpoints/new/']").click()
    expect(page.locator("#id_team")).to_have_value(str(team.pk))  # the member's only team
    page.fill("#id_name", "browser-v1")
    page.fill("#id_source", "browser-v1")
    expect(page.locator("input[name=suites][value=ko-smoke]")).to_be_checked()
    page.locator("main form button[type=submit]").click()

    # The checkpoint page refreshes itself while the worker validates the folder.
    page.wait_for_url(re.compile(r"/evaluation/checkpoints/\d+/$"))
    checkpoint = Checkpoint.objects.get(name="browser-v1")
    assert page.url.endswith(f"/evaluation/checkpoints/{checkpoint.pk}/")
    expect(page.locator("main h1 .status")).to_have_class("status status-ready", timeout=RUN_TIMEOUT_MS)
    run_link = page.locator("main table.data tbody a[href*='/evaluation/runs/']")
    expect(run_link).to_have_count(1)
    run_link.click()

    # The run page polls the run's status and shows the results when it ends.
    run = EvaluationRun.objects.get(checkpoint=checkpoint)
    page.wait_for_url(f"**/evaluation/runs/{run.pk}/")
    expect(page.locator("#run-status")).to_have_class("status status-succeeded", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#run-status")).to_have_text(in_language("ko", "Succeeded"))
    tasks = list(ko_smoke.tasks.order_by("position").values_list("task", flat=True))
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(len(tasks))
    assert sorted(results.locator("td:first-child").all_inner_texts()) == sorted(tasks)
    expect(page.locator("#run-progress progress")).to_have_attribute("value", "100")
    screenshot(page, "run-detail", full_page=True)

    page.locator(f"main a[href$='/evaluation/runs/{run.pk}/samples/']").click()
    samples = page.locator("main table.data tbody tr")
    expect(samples.first.locator("td")).to_have_count(6)  # a sample, not the "No samples." row
    assert samples.count() == 20  # the first page of a task with more than 20 items
    visible_tasks = page.locator("select[name=task] option").all_inner_texts()
    assert visible_tasks and set(visible_tasks) <= set(tasks)
    page.select_option("select[name=task]", visible_tasks[-1])
    page.locator("main form.inline button[type=submit]").click()
    page.wait_for_url(re.compile(rf"[?&]task={re.escape(visible_tasks[-1])}(&|$)"))
    expect(page.locator("select[name=task]")).to_have_value(visible_tasks[-1])
    expect(samples.first.locator("td")).to_have_count(6)
    screenshot(page, "run-samples")

    page.goto("/evaluation/")
    expect(page.locator("main table.data tbody tr", has_text="browser-v1")).to_have_count(1)
    screenshot(page, "checkpoint-list")


# 2 ─────────────────────────────────────────────────────────────────────────────────────────────
def _real_run(platform, ko_smoke, tiny_checkpoint, name: str) -> EvaluationRun:
    """Team A's checkpoint, submitted and evaluated by the worker (not through the browser here)."""
    team = platform["team_a"]
    copy_checkpoint(tiny_checkpoint, platform["dirs"]["checkpoints"], team.slug, name)
    checkpoint = checkpoint_submit(
        actor=platform["people"]["member_a"], team=team, name=name, source=name, suites=["ko-smoke"]
    )

    def finished():
        run = EvaluationRun.objects.filter(checkpoint=checkpoint).first()
        return run if run and run.is_terminal else None

    run = wait_for(finished, timeout=RUN_TIMEOUT_MS / 1000, what="the run to finish", log=platform["dirs"]["log"])
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _traces_of(visitor, run, leaderboard) -> list[str]:
    """Every place a team member could look for a run, with what each shows this visitor."""
    checkpoint, page = run.checkpoint, visitor.page
    found = []
    page.goto("/evaluation/")
    if page.locator("main", has_text=checkpoint.name).count():
        found.append("checkpoint list")
    for path in (
        f"/evaluation/checkpoints/{checkpoint.pk}/",
        f"/evaluation/runs/{run.pk}/",
        f"/evaluation/runs/{run.pk}/samples/",
        f"/evaluation/runs/{run.pk}/status.json",
    ):
        if page.goto(path).status != 404:
            found.append(path)
    page.goto(f"/teams/{run.team.slug}/")
    if page.locator("main", has_text=checkpoint.name).count():
        found.append("team page")
    team_names = _names(run.team)
    for query in ("", f"?team={run.team.name_en}", f"?team={run.team.name_ko}"):
        page.goto(f"/leaderboards/{leaderboard.slug}/{query}")
        if (
            page.locator("#leaderboard tbody tr", has_text=team_names[0]).count()
            or page.locator("#leaderboard tbody tr", has_text=team_names[1]).count()
        ):
            found.append(f"leaderboard{query}")
    exports = {fmt: visitor.get(f"/leaderboards/{leaderboard.slug}/export.{fmt}") for fmt in ("csv", "json", "xlsx")}
    for fmt, response in exports.items():
        assert response.ok, (fmt, response.status)
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(response.body()), read_only=True)
            text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
        else:
            text = response.text()
        if any(name in text for name in (*team_names, checkpoint.name, run.team.slug)):
            found.append(f"export.{fmt}")
    for path in (
        f"/api/checkpoints/{checkpoint.pk}/",
        f"/api/runs/{run.pk}/",
        f"/api/runs/{run.pk}/samples/",
        f"/api/originality/{checkpoint.pk}/",
    ):
        if visitor.get(path).status != 404:
            found.append(path)
    for path in (
        "/api/checkpoints/",
        f"/api/runs/?checkpoint={checkpoint.pk}",
        "/api/runs/",
        "/api/originality/",
        f"/api/leaderboards/{leaderboard.slug}/",
        f"/api/leaderboards/{leaderboard.slug}/charts/",
        f"/api/leaderboards/{leaderboard.slug}/flags/",
    ):
        response = visitor.get(path)
        assert response.ok, (path, response.status)
        body = response.text()
        if (
            checkpoint.name in body
            or any(name in body for name in team_names)
            or f'"checkpoint":{checkpoint.pk}' in body.replace(" ", "")
        ):
            found.append(path)
    return found


def test_another_team_cannot_find_the_run_before_publication(platform, visitors, ko_smoke, tiny_checkpoint):
    people = platform["people"]
    leaderboard = leaderboard_create(
        actor=people["admin"],
        slug="ko-smoke-best",
        name_ko="스모크",
        name_en="Smoke",
        suite_version=ko_smoke,
        rule=RowRule.BEST,
    )
    run = _real_run(platform, ko_smoke, tiny_checkpoint, "browser-secret")

    # The same places, looked at by the run's own team, show it: the search below can find things.
    own = _traces_of(visitors(people["member_a"]), run, leaderboard)
    assert {
        "checkpoint list",
        f"/evaluation/runs/{run.pk}/",
        f"/evaluation/runs/{run.pk}/samples/",
        "leaderboard",
        "export.csv",
        "export.json",
        "export.xlsx",
        f"/api/runs/{run.pk}/",
        f"/api/runs/?checkpoint={run.checkpoint_id}",
    } <= set(own), own

    other = visitors(people["member_b"])
    assert _traces_of(other, run, leaderboard) == []

    # Once published, the leaderboard row (and only that) is public; the run itself stays private.
    snapshot_publish(actor=people["admin"], leaderboard=leaderboard)
    after = _traces_of(other, run, leaderboard)
    assert "leaderboard" in after and "export.csv" in after
    assert not {
        "checkpoint list",
        f"/evaluation/runs/{run.pk}/",
        f"/evaluation/runs/{run.pk}/samples/",
        f"/api/runs/{run.pk}/",
        f"/api/checkpoints/{run.checkpoint_id}/",
    } & set(after), after


# 3 ─────────────────────────────────────────────────────────────────────────────────────────────
def test_an_admin_publishes_and_the_public_sees_the_chart(platform, visitors, screenshot):
    people, team_a, team_b = platform["people"], platform["team_a"], platform["team_b"]
    version = make_suite_version()
    leaderboard = leaderboard_create(
        actor=people["admin"],
        slug="main",
        name_ko="메인 리더보드",
        name_en="Main leaderboard",
        suite_version=version,
        rule=RowRule.BEST,
    )
    # A few weeks of runs, so the best-over-time chart has a history; the best run of each team stands.
    now = timezone.now()
    for team, name, days_ago, share in (
        (team_a, "alpha-7b-step20k", 40, 0.7),
        (team_a, "alpha-7b-step60k", 18, 0.9),
        (team_a, "alpha-7b-step90k", 3, 1.0),
        (team_b, "beta-13b-sft1", 30, 0.6),
        (team_b, "beta-13b-sft2", 6, 0.75),
    ):
        make_run(
            make_checkpoint(team, name=name),
            version,
            {
                "nia_mc": (0.81 * share, 0.02),
                "global_mc": 0.9 * share,
                "global_gen": 0.4 * share,
                "chosen_gen": 0.3 * share,
            },
            finished_at=now - datetime.timedelta(days=days_ago),
        )

    public = visitors(None).page
    public.goto("/leaderboards/main/")
    expect(public.locator("main .status-cancelled")).to_have_text(in_language("ko", "Nothing published yet"))
    expect(public.locator("#chart-bars .main-svg").first).to_be_attached()  # plotted, with nothing to plot
    assert [len(t["x"]) for t in plotted(public, "chart-bars")] == [0]

    admin = visitors(people["admin"]).page
    admin.goto("/leaderboards/main/")
    expect(admin.locator("#leaderboard tbody tr")).to_have_count(2)  # admins see every team live
    admin.fill("input[name=note]", "browser journey")
    admin.locator("#publish").click()
    expect(admin.locator("ul.messages li.success")).to_be_visible()
    assert Snapshot.objects.filter(leaderboard=leaderboard, note="browser journey").count() == 1

    public.reload()
    expect(public.locator("main .status-succeeded")).to_be_visible()
    rows = public.locator("#leaderboard tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(team_a.name_ko)  # the better team ranks first
    # The bar chart is drawn: one bar a team in the data and in the SVG.
    expect(public.locator("#chart-bars g.trace.bars g.point")).to_have_count(2)
    bars = plotted(public, "chart-bars")
    assert sorted(bars[0]["x"]) == sorted([team_a.name_ko, team_b.name_ko])
    assert all(isinstance(y, (int, float)) and y > 0 for y in bars[0]["y"])
    radar = plotted(public, "chart-radar")
    assert len(radar) == 2 and all(len(t["r"]) > 1 for t in radar)
    history = plotted(public, "chart-history")
    assert sorted(len(t["x"]) for t in history) == [2, 3]  # every run improved on its team's best
    screenshot(public, "leaderboard", full_page=True, clip_height=1700)


# 4 ─────────────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def stage_in_scoring(platform):
    """Three teams nominated, nominations frozen, official runs succeeded (written directly)."""
    people = platform["people"]
    team_c = TeamFactory(slug="team-c", name_en="Team C", name_ko="팀 C")
    teams = [platform["team_a"], platform["team_b"], team_c]
    target = {"nia_mc": 0.6, "global_mc": 0.8, "global_gen": 0.6, "chosen_gen": 0.5}
    version = make_suite_version()
    reference_model_save(actor=people["admin"], suite_version=version, name="Frontier-X", scores=target)
    stage = stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="stage-1",
        name_ko="1차 평가",
        name_en="First stage",
        advancing_count=2,
        suite_version=version,
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=teams,
        bootstrap_samples=100,
    )
    for team, share in zip(teams, (0.95, 0.8, 0.6)):
        checkpoint = make_checkpoint(team, target="Frontier-X")
        run = make_run(checkpoint, version, {task: value * share for task, value in target.items()})
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            official_run=run,
            manifest_digest=checkpoint.manifest_digest,
            nominated_at=timezone.now(),
            status=NominationStatus.ACCEPTED,
        )
    stage.status = StageStatus.SCORING
    stage.save()
    return stage, teams


def test_a_reviewer_scores_an_admin_finalises_and_the_report_says_who_advances(
    platform, visitors, stage_in_scoring, screenshot
):
    stage, teams = stage_in_scoring
    people = platform["people"]
    public = visitors(None).page
    assert public.goto(f"/stages/{stage.slug}/report/").status == 404  # nothing public before finalising

    reviewer = visitors(people["reviewer"]).page
    reviewer.goto(f"/stages/{stage.slug}/")
    reviewer.locator(f"main a[href$='/stages/{stage.slug}/expert-scores/']").click()
    grid = reviewer.locator("#expert-grid tbody tr")
    expect(grid).to_have_count(3)
    share_by_team = {
        teams[0].name_ko: Decimal("0.9"),
        teams[1].name_ko: Decimal("0.7"),
        teams[2].name_ko: Decimal("0.2"),
    }
    for i in range(3):
        row = grid.nth(i)
        share = share_by_team[row.locator("td").first.inner_text().strip()]
        inputs = row.locator("input[type=number]")
        assert inputs.count() > 0
        for j in range(inputs.count()):
            box = inputs.nth(j)
            box.fill(str((Decimal(box.get_attribute("max")) * share).quantize(Decimal("0.01"))))
    reviewer.locator("#submit-scores").click()  # confirms "final?" (accepted)
    expect(reviewer.locator("main .hero .status-succeeded")).to_be_visible()
    expect(reviewer.locator("#expert-grid input[type=number]").first).to_be_disabled()

    admin = visitors(people["admin"]).page
    admin.goto(f"/stages/{stage.slug}/")
    admin.locator("#finalise").click()  # confirms "cannot be undone" (accepted)
    expect(admin.locator("ul.messages li.success")).to_have_text(in_language("ko", "The stage is finalised."))

    public.goto(f"/stages/{stage.slug}/report/")
    rows = public.locator("#stage-result tbody tr")
    expect(rows).to_have_count(3)
    expect(public.locator("#stage-result tr.advancing")).to_have_count(2)
    advancing = public.locator("#stage-result tr.advancing").evaluate_all("rows => rows.map(r => r.dataset.team)")
    eliminated = public.locator("#stage-result tr.eliminated").evaluate_all("rows => rows.map(r => r.dataset.team)")
    assert (sorted(advancing), eliminated) == (["team-a", "team-b"], ["team-c"])
    expect(public.locator("#stage-result tr.advancing").first).to_contain_text(in_language("ko", "Advances"))
    expect(public.locator("main .hero")).to_contain_text(people["admin"].get_username())  # finalised by
    expect(public.locator("#chart-parts .main-svg").first).to_be_attached()
    assert sum(len(t["x"]) for t in plotted(public, "chart-parts")) > 0
    screenshot(public, "stage-report", full_page=True)


# 5 ─────────────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def budget_catalogue(platform):
    """One provider and GPU type with a rate, an envelope for this year, team A's Slurm account."""
    today = timezone.localdate()
    h100 = GpuType.objects.create(code="h100", name="NVIDIA H100", h100_weight=Decimal("1"))
    provider = Provider.objects.create(
        slug="cloud-x", name="Cloud X", organisation=OrganisationFactory(slug="cloud-x", kind="gpu_provider")
    )
    Rate.objects.create(
        gpu_type=h100, provider=provider, effective_from=datetime.date(today.year, 1, 1), krw_per_gpu_hour=4_000_000
    )
    SlurmAccount.objects.create(provider=provider, name="acct-a", team=platform["team_a"])
    envelope = envelope_create(
        actor=None,
        programme=ProgrammeFactory(),
        name=f"{today.year} GPU",
        period_start=datetime.date(today.year, 1, 1),
        period_end=datetime.date(today.year, 12, 31),
        total_krw=100 * 10**9,
    )
    return {"provider": provider, "envelope": envelope, "today": today}


def _burn_down(page) -> dict:
    expect(page.locator("#burn-down .main-svg").first).to_be_attached()
    traces = plotted(page, "burn-down")
    return {"months": traces[0]["x"], "remaining": traces[0]["y"], "used": traces[1]["y"]}


def test_an_admin_allocates_imports_usage_and_the_burn_down_moves(platform, visitors, budget_catalogue, screenshot):
    team, today = platform["team_a"], budget_catalogue["today"]
    admin = visitors(platform["people"]["admin"]).page
    admin.goto("/budget/")
    before = _burn_down(admin)
    month = today.strftime("%Y-%m")
    assert before["months"][-1] == month and set(before["remaining"]) == {100 * 10**9}
    assert set(before["used"]) == {0}

    admin.locator("main a[href$='/budget/allocations/new/']").click()
    admin.select_option("#id_team", str(team.pk))
    admin.fill("#id_amount_krw", str(10 * 10**9))
    admin.fill("#id_reason", "first quarter of training")
    admin.locator("#grant").click()
    admin.wait_for_url("**/budget/")
    expect(admin.locator("ul.messages li.success")).to_be_visible()
    admin.goto(f"/budget/teams/{team.slug}/")
    team_before = _burn_down(admin)
    assert set(team_before["remaining"]) == {10 * 10**9}  # the team's line starts at its allocation

    # Two 8-GPU jobs of 10 hours this month (one with a step line, which is not charged again).
    start = datetime.datetime.combine(today.replace(day=1), datetime.time(9))
    lines = ["JobID|JobName|Account|AllocTRES|Elapsed|Start|End|State"]
    for job, hour in ((101, 0), (102, 1)):
        begin = start + datetime.timedelta(hours=hour)
        tres = "billing=8,cpu=64,gres/gpu:h100=8,gres/gpu=8,node=1"
        lines.append(
            f"{job}|train|acct-a|{tres}|10:00:00|{begin:%Y-%m-%dT%H:%M:%S}|"
            f"{begin + datetime.timedelta(hours=10):%Y-%m-%dT%H:%M:%S}|COMPLETED"
        )
    lines.append(
        f"101.batch|batch|acct-a|{tres}|10:00:00|{start:%Y-%m-%dT%H:%M:%S}|"
        f"{start + datetime.timedelta(hours=10):%Y-%m-%dT%H:%M:%S}|COMPLETED"
    )
    usage_file = platform["dirs"]["files"] / "sacct-this-month.txt"
    usage_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    charged = 2 * 8 * 10 * 4_000_000

    admin.goto("/budget/")
    admin.locator("main a[href$='/budget/imports/new/']").click()
    admin.select_option("#id_provider", str(budget_catalogue["provider"].pk))
    admin.set_input_files("#id_file", str(usage_file))
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/budget/imports/\d+/$"))
    usage_import = UsageImport.objects.get()
    assert admin.url.endswith(f"/budget/imports/{usage_import.pk}/")
    # The worker imports the file; the page polls and reloads with the summary when it is done.
    expect(admin.locator("main dl.facts")).to_be_visible(timeout=120_000)
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.DONE, usage_import.errors
    assert usage_import.summary["amount_krw"] == charged

    admin.goto("/budget/")
    after = _burn_down(admin)
    assert after["months"] == before["months"]
    assert after["used"][-1] == charged and after["remaining"][-1] == 100 * 10**9 - charged
    assert after["remaining"][:-1] == before["remaining"][:-1]
    expect(admin.locator("#burn-down + p")).to_have_text(
        in_language(
            "ko", "At the last three months' pace the money lasts more than ten years: no exhaustion date projected."
        )
    )
    screenshot(admin, "budget-dashboard", full_page=True)
    admin.goto(f"/budget/teams/{team.slug}/")
    assert _burn_down(admin)["remaining"][-1] == 10 * 10**9 - charged


# 6 ─────────────────────────────────────────────────────────────────────────────────────────────
PAGES = ["/", "/evaluation/", "/leaderboards/", "/stages/", "/data/", "/teams/team-a/"]


def test_the_whole_ui_switches_to_english_and_back(platform, visitors, screenshot):
    page = visitors(platform["people"]["member_a"]).page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")  # Korean first, whatever the browser says
    nav = page.locator("header nav")
    expect(nav).to_contain_text(in_language("ko", "Leaderboards"))

    page.locator(".language-switcher a[lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for part in ("header nav", "main h1", "footer"):
            text = page.locator(part).first.inner_text()
            assert not HANGUL.search(text), (path, part, text)
        expect(nav).to_contain_text("Leaderboards")
    page.goto("/")
    screenshot(page, "overview-en")

    page.goto("/leaderboards/")
    page.locator(".language-switcher a[lang=ko]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert page.url.endswith("/leaderboards/")  # the switcher returns to the page it was used on
    for path in PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        expect(nav).to_contain_text(in_language("ko", "Leaderboards"))
        expect(page.locator("footer")).to_have_text(in_language("ko", "Ministry of Science and ICT · NIPA · TTA · NIA"))
