"""A private benchmark's items, prompt template and per-sample outputs never reach a team: every
route, asked by every team role (and anonymously) with team A's objects — its run on the
private suite among them — is searched for the text of every item."""

import json

import pytest
from django.contrib.auth.models import Group

from core.roles import BENCHMARK_AUTHOR_GROUP
from evaluation.services.private_benchmarks import private_benchmark_publish, private_benchmark_save
from evaluation.services.runs import run_claim, run_fail, run_request
from tests.evaluation.conftest import finish_with_samples

from .matrix_support import ask, client_for, route_url
from .routes import all_routes

pytestmark = pytest.mark.slow
TEMPLATE = "비공개지시문-7Q2: {{question}}\n답:"
ITEMS = [
    {"question": "비공개문항-알파-3917 무엇인가?", "choices": ["선택지-감-5521", "선택지-귤-8830"], "answer": 0},
    {"question": "비공개문항-베타-6402 어디인가?", "choices": ["선택지-산-1274", "선택지-강-9063"], "answer": 1},
]
SECRETS = ["비공개지시문-7Q2"] + [text for item in ITEMS for text in [item["question"], *item["choices"]]]


def _private_run(world, author):
    benchmark = private_benchmark_save(
        actor=author,
        slug="secret",
        name_ko="비공개",
        name_en="Private",
        kind="multiple_choice",
        prompt_template=TEMPLATE,
        items_file=("items.jsonl", "\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS).encode()),
    )
    version = private_benchmark_publish(actor=author, benchmark=benchmark)
    task = benchmark.task
    run = run_request(actor=world["users"]["admin"], checkpoint=world["checkpoint"], suite_version=version, force=True)
    # What the harness logs and reports for such a task: the prompts, choices and gold in the
    # samples, the template in its configuration.
    samples = [
        {
            "task": task,
            "subtask": task,
            "doc_id": i,
            "doc": item,
            "target": item["answer"],
            "arguments": [[TEMPLATE.replace("{{question}}", item["question"]), " " + c] for c in item["choices"]],
            "resps": [[[-1.0, False]], [[-2.0, False]]],
            "filtered_resps": [[-1.0, False], [-2.0, False]],
            "filter": "none",
            "metrics": ["acc"],
            "acc": float(i == 0),
        }
        for i, item in enumerate(ITEMS)
    ]
    results = {
        "results": {task: {"alias": task, "acc,none": 0.5, "acc_stderr,none": 0.5}},
        "configs": {task: {"task": task, "doc_to_text": TEMPLATE, "dataset_path": benchmark.source}},
        "n-samples": {task: {"original": 2, "effective": 2}},
        "versions": {task: 1.0},
        "n-shot": {task: 0},
    }
    return finish_with_samples(run, samples, results)


def test_no_page_api_answer_or_export_a_team_can_reach_holds_a_private_item(world, settings, tmp_path):
    settings.BENCHMARK_DATA_ROOT = tmp_path / "benchmark-data"
    author = world["users"]["reviewer"]
    author.groups.add(Group.objects.get_or_create(name=BENCHMARK_AUTHOR_GROUP)[0])
    author = type(author).objects.get(pk=author.pk)
    run = _private_run(world, author)
    world["run"] = run  # every route that takes a run asks about this one
    # And a run that failed with the harness's words about an item: its reason stays with staff.
    failed = run_request(
        actor=world["users"]["admin"], checkpoint=world["checkpoint"], suite_version=run.suite_version, force=True
    )
    _, token = run_claim(run_id=failed.pk, worker_host="w")
    run_fail(run_id=failed.pk, token=token, error=f"KeyError: {ITEMS[1]['question']}", log_tail=ITEMS[1]["choices"][0])
    extra = [f"/evaluation/runs/{failed.pk}/", f"/evaluation/runs/{failed.pk}/status.json", f"/api/runs/{failed.pk}/"]
    staff = client_for(world["users"]["admin"]).get(f"/api/runs/{run.pk}/").json()
    assert SECRETS[0] in json.dumps(staff["results"], ensure_ascii=False)  # the search would find it

    leaks, asked = [], 0
    for route in all_routes():
        url = route_url(route, world)
        for role in ("anonymous", "member_a", "lead_a", "member_b"):
            response = ask(client_for(world["users"][role]), "GET", url, is_api=route.is_api)
            if response.status_code != 200:
                continue
            asked += 1
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            leaks += [f"{route.name} as {role}: {secret}" for secret in SECRETS if secret in text]
    for url in extra:
        for role in ("member_a", "lead_a"):
            response = client_for(world["users"][role]).get(url)
            assert response.status_code == 200, url
            leaks += [f"{url} as {role}: {s}" for s in SECRETS if s in response.content.decode()]
    assert asked > 100 and not leaks, "\n".join(leaks)
    # The team sees the aggregate score of its run, and nothing else of the task.
    team = client_for(world["users"]["member_a"]).get(f"/api/runs/{run.pk}/").json()
    assert [(r["task"], r["value"]) for r in team["task_results"]] == [("nia_private_secret", 0.5)]
