"""A member firm follows its chat model's evaluation under a chat protocol: the run page names
every protocol setting, the sample browser shows what the model saw and wrote (the reasoning
before it was removed), and a preview asked from the checkpoint page is labelled as one."""

import re

import pytest
from playwright.sync_api import expect

from evaluation.models import EvaluationRun, RunStatus
from evaluation.services.checkpoints import checkpoint_submit
from tests.support.workers import copy_checkpoint, wait_for

from .helpers import in_language

pytestmark = pytest.mark.slow
RUN_TIMEOUT_S = 240  # validation + a warm worker's ko-chat run, on a loaded machine
SYSTEM = "당신은 정확하게 답하는 한국어 도우미입니다. 답만 쓰세요."


def test_a_member_reads_a_chat_protocol_run_and_asks_for_a_preview(
    platform, visitors, ko_smoke, ko_chat, chat_checkpoint, screenshot
):
    team, member = platform["team_a"], platform["people"]["member_a"]
    copy_checkpoint(chat_checkpoint, platform["dirs"]["checkpoints"], team.slug, "chat-v1")
    checkpoint = checkpoint_submit(actor=member, team=team, name="chat-v1", source="chat-v1", suites=["ko-chat"])
    run = wait_for(
        lambda: EvaluationRun.objects.filter(checkpoint=checkpoint, status=RunStatus.SUCCEEDED).first(),
        timeout=RUN_TIMEOUT_S,
        what="the chat run",
        log=platform["dirs"]["log"],
    )

    page = visitors(member).page
    page.goto(f"/evaluation/runs/{run.pk}/")
    protocol = page.locator("#run-protocol")
    expect(protocol).to_contain_text("apply_chat_template")
    expect(protocol).to_contain_text(SYSTEM)
    expect(protocol.locator("tbody tr")).to_have_count(2)  # thinking on for generation, off for log-likelihood
    expect(protocol).to_contain_text("enable_thinking=True")
    expect(protocol).to_contain_text("enable_thinking=False")
    expect(page.locator("#run-precision")).to_contain_text(in_language("ko", "from the weights (safetensors headers)"))
    screenshot(page, "run-chat-protocol", full_page=True)

    page.goto(f"/evaluation/runs/{run.pk}/samples/?task=ko_chat_numeral_gen")
    first = page.locator("main table.data tbody tr").first
    expect(first.locator("td")).to_have_count(6)
    first.locator("td").nth(1).locator("summary").click()
    expect(first.locator("pre.prompt")).to_contain_text("<|system|>")
    raw = page.locator("td.output details.raw").first
    raw.locator("summary").click()
    expect(raw.locator("pre")).to_contain_text("</think>")  # what the model wrote before the cut
    screenshot(page, "run-samples-chat")

    page.goto(f"/evaluation/checkpoints/{checkpoint.pk}/")
    page.select_option("select[name=suite]", "ko-smoke")
    page.fill("input[name=preview_limit]", "5")
    page.locator("main form.inline button[type=submit]").click()
    page.wait_for_url(re.compile(r"/evaluation/runs/\d+/$"))
    expect(page.locator("#run-preview")).to_have_text(in_language("ko", "Preview"))
    expect(page.locator("#run-status")).to_have_class("status status-succeeded", timeout=RUN_TIMEOUT_S * 1000)
    preview = EvaluationRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert preview.preview and {r.n_samples for r in preview.task_results.all()} == {5}
