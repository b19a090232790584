"""A ministry reviewer, given the benchmark-author role, uploads a private benchmark, checks the
rendered prompts, and publishes it; a team's checkpoint is scored on it by the real worker, and
the team reads its score and nothing of the items on any page it opens."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.roles import BENCHMARK_AUTHOR_GROUP
from evaluation.models import EvaluationRun, RunStatus
from evaluation.services.checkpoints import checkpoint_submit
from tests.support.workers import copy_checkpoint, wait_for

from .helpers import in_language

pytestmark = pytest.mark.slow
RUN_TIMEOUT_S = 300
ITEMS = [
    {
        "question": f"비공개-여정-문항-{n:03d}: 어느 쪽이 더 큰가?",
        "choices": [f"보기-{n}-갑", f"보기-{n}-을"],
        "answer": n % 2,
    }
    for n in range(12)
]
TEMPLATE = "여정-지시문-K9: {{question}}\n답:"
SECRETS = ["여정-지시문-K9", *[i["question"] for i in ITEMS], *[c for i in ITEMS for c in i["choices"]]]


def test_an_author_publishes_a_private_benchmark_and_the_team_sees_only_its_score(
    platform, visitors, ko_smoke, tiny_checkpoint, screenshot
):
    people, team = platform["people"], platform["team_a"]
    author = people["reviewer"]
    author.groups.add(Group.objects.get_or_create(name=BENCHMARK_AUTHOR_GROUP)[0])
    items = platform["dirs"]["files"] / "private-items.jsonl"
    items.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS), encoding="utf-8")

    page = visitors(author).page
    page.goto("/evaluation/private-benchmarks/")
    page.fill("#id_slug", "journey")
    page.fill("#id_name_ko", "여정 비공개 벤치마크")
    page.fill("#id_name_en", "Journey private benchmark")
    page.select_option("#id_kind", "multiple_choice")
    page.fill("#id_prompt_template", TEMPLATE)
    page.set_input_files("#id_items", str(items))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/evaluation/private-benchmarks/journey/$"))
    preview = page.locator("#preview tbody tr")
    expect(preview).to_have_count(5)
    expect(preview.first.locator("pre.prompt")).to_have_text(f"여정-지시문-K9: {ITEMS[0]['question']}\n답:")
    expect(preview.first).to_contain_text(ITEMS[0]["choices"][0])  # the gold of the first item
    screenshot(page, "private-benchmark-preview", full_page=True)
    page.locator("#publish").click()
    expect(page.locator(".messages")).to_contain_text("nia-private")

    member = people["member_a"]
    copy_checkpoint(tiny_checkpoint, platform["dirs"]["checkpoints"], team.slug, "private-v1")
    checkpoint = checkpoint_submit(
        actor=member, team=team, name="private-v1", source="private-v1", suites=["nia-private"]
    )
    run = wait_for(
        lambda: EvaluationRun.objects.filter(
            checkpoint=checkpoint, status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
        ).first(),
        timeout=RUN_TIMEOUT_S,
        what="the private run",
        log=platform["dirs"]["log"],
    )
    assert run.status == RunStatus.SUCCEEDED, (run.error, run.log_tail[-2000:])
    assert run.task_results.get().n_samples == len(ITEMS)

    team_page = visitors(member).page
    seen = []
    for path in (
        "/evaluation/",
        f"/evaluation/checkpoints/{checkpoint.pk}/",
        f"/evaluation/runs/{run.pk}/",
        f"/evaluation/runs/{run.pk}/samples/?task=nia_private_journey",
        f"/api/runs/{run.pk}/",
        f"/api/runs/{run.pk}/samples/?task=nia_private_journey",
        "/api/suites/",
        "/leaderboards/",
    ):
        response = team_page.goto(path)
        seen.append(response.text())
    expect(team_page.locator("body")).to_be_visible()
    team_page.goto(f"/evaluation/runs/{run.pk}/")
    expect(team_page.locator("#results")).to_contain_text("nia_private_journey")
    expect(team_page.locator("#results")).not_to_contain_text(in_language("ko", "Browse the samples"))
    screenshot(team_page, "private-benchmark-team-run", full_page=True)
    leaks = [secret for secret in SECRETS for text in seen if secret in text]
    assert not leaks, leaks
    forbidden = team_page.goto("/evaluation/private-benchmarks/journey/")
    assert forbidden.status == 403
