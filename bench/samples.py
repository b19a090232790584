"""Programme-size evaluation data: a run of 120,000 logged samples in the harness's per-sample
format, stored through the real save path (shards stored by evaluation.services.shards.shard_succeed,
which fills RunSample), then in one process: the sample browser's pages and search through the
real view, the streamed export (20k vs 120k samples), the stage bootstrap at 5 teams × 120k
items × 1,000 resamples, and finalising that stage.

Run: make bench-samples   (uses BENCH_DATABASE_URL; a throwaway test database is created in it)
BENCH_SAMPLES (120000) and BENCH_SMALL_SAMPLES (20000) change the sizes.
"""

import datetime
import gc
import gzip
import io
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from report import Target, emit, table  # noqa: E402

django.setup()

from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

SIZE = int(os.environ.get("BENCH_SAMPLES", "120000"))
SMALL = int(os.environ.get("BENCH_SMALL_SAMPLES", "20000"))
SHARD = 10_000  # logged samples per shard, as a run is cut into shards
RESAMPLES, TEAMS = 1000, 5
# suite task, metric, category, random baseline; KMMLU-like multiple choice, GSM8K-like CoT with two
# filters, MMLU-Pro-like CoT generation with long few-shot prompts.
TASKS = [
    ("kmmlu_like", "acc,none", "nia", 0.25),
    ("gsm8k_like", "exact_match,strict-match", "global_common", 0.0),
    ("mmlu_pro_like", "exact_match,custom-extract", "global_common", 0.1),
]
MIX = {"kmmlu_like": 0.62, "gsm8k_like": 0.26, "mmlu_pro_like": 0.12}  # shares of the logged samples
SUBJECTS = [
    "accounting",
    "biology",
    "chemistry",
    "civil_engineering",
    "criminal_law",
    "economics",
    "education",
    "korean_history",
    "law",
    "math",
    "patent",
    "political_science",
    "psychology",
    "taxation",
]


def _vocabulary(size: int = 6000) -> list[str]:
    """Korean and English-like words; drawn with Zipf weights, as words in real text are."""
    rnd = random.Random("words")
    hangul = [chr(0xAC00 + rnd.randrange(11172)) for _ in range(400)]
    latin = ["ka", "ro", "mi", "ten", "sal", "por", "ex", "an", "ti", "ver", "sto", "lu", "mar", "ing", "ed", "on"]
    words = [
        "".join(rnd.choice(hangul) for _ in range(rnd.randint(2, 3)))
        if i % 3
        else "".join(rnd.choice(latin) for _ in range(rnd.randint(2, 4)))
        for i in range(size)
    ]
    return list(dict.fromkeys(words))


WORDS = _vocabulary()
WEIGHTS = list(__import__("itertools").accumulate(1 / rank for rank in range(1, len(WORDS) + 1)))


def _text(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choices(WORDS, cum_weights=WEIGHTS, k=words))


def _few_shot(rnd: random.Random, shots: int, words: int) -> str:
    return "".join(f"Question: {_text(rnd, words)}\nAnswer: {_text(rnd, words // 2)}\n\n" for _ in range(shots))


class Generator:
    """Samples as lm-eval 0.4 logs them (doc_id, doc, target, arguments, resps, filtered_resps,
    filter, metrics, the metric's value), with the platform's task/subtask keys."""

    def __init__(self, seed: int, accuracy: float):
        self.rnd, self.accuracy = random.Random(seed), accuracy
        self.shots = {subject: _few_shot(random.Random(subject), 5, 40) for subject in SUBJECTS}
        self.cot_shots = _few_shot(random.Random("gsm"), 8, 70)
        self.pro_shots = _few_shot(random.Random("pro"), 5, 110)

    def mc(self, doc_id: int) -> list[dict]:
        subject = SUBJECTS[doc_id % len(SUBJECTS)]
        question, choices = _text(self.rnd, 45), [_text(self.rnd, 6) for _ in range(4)]
        prompt = (
            self.shots[subject]
            + f"Question: {question}\n"
            + "".join(f"{'ABCD'[i]}. {c}\n" for i, c in enumerate(choices))
            + "Answer:"
        )
        target = self.rnd.randrange(4)
        right = self.rnd.random() < self.accuracy
        best = target if right else (target + 1) % 4
        loglikelihoods = [[-self.rnd.uniform(1.5, 4.0) if i != best else -0.9, False] for i in range(4)]
        return [
            {
                "task": "kmmlu_like",
                "subtask": f"kmmlu_like_{subject}",
                "doc_id": doc_id,
                "doc": {
                    "question": question,
                    "A": choices[0],
                    "B": choices[1],
                    "C": choices[2],
                    "D": choices[3],
                    "answer": target + 1,
                },
                "target": target,
                "arguments": [[prompt, f" {'ABCD'[i]}"] for i in range(4)],
                "resps": [[ll] for ll in loglikelihoods],
                "filtered_resps": loglikelihoods,
                "filter": "none",
                "metrics": ["acc"],
                "acc": 1.0 if right else 0.0,
                "doc_hash": f"{doc_id:064x}",
                "prompt_hash": f"{doc_id * 7:064x}",
                "target_hash": f"{target:064x}",
            }
        ]

    def gsm(self, doc_id: int) -> list[dict]:
        question, answer = _text(self.rnd, 60), str(self.rnd.randrange(1, 5000))
        prompt = self.cot_shots + f"Question: {question}\nAnswer:"
        right = self.rnd.random() < self.accuracy
        said = answer if right else str(int(answer) + self.rnd.randrange(1, 50))
        reasoning = _text(self.rnd, 90) + f" The answer is {said}."
        strict = said if self.rnd.random() < 0.9 else "[invalid]"
        return [
            {
                "task": "gsm8k_like",
                "subtask": "gsm8k_like",
                "doc_id": doc_id,
                "doc": {"question": question, "answer": f"{_text(self.rnd, 30)} #### {answer}"},
                "target": answer,
                "arguments": [[prompt, {"until": ["Question:", "</s>"], "do_sample": False, "temperature": 0.0}]],
                "resps": [[reasoning]],
                "filtered_resps": [value],
                "filter": name,
                "metrics": ["exact_match"],
                "exact_match": float(value == answer),
                "doc_hash": f"{doc_id:064x}",
            }
            for name, value in (("strict-match", strict), ("flexible-extract", said))
        ]

    def pro(self, doc_id: int) -> list[dict]:
        question = _text(self.rnd, 80)
        options = [_text(self.rnd, 8) for _ in range(10)]
        prompt = (
            self.pro_shots
            + f"Question: {question}\nOptions:\n"
            + "".join(f"({'ABCDEFGHIJ'[i]}) {o}\n" for i, o in enumerate(options))
            + "Answer: Let's think step by step."
        )
        target = "ABCDEFGHIJ"[self.rnd.randrange(10)]
        said = target if self.rnd.random() < self.accuracy else "ABCDEFGHIJ"[self.rnd.randrange(10)]
        return [
            {
                "task": "mmlu_pro_like",
                "subtask": "mmlu_pro_like",
                "doc_id": doc_id,
                "doc": {"question": question, "options": options, "answer": target},
                "target": target,
                "arguments": [[prompt, {"until": ["Question:"], "max_gen_toks": 2048}]],
                "resps": [[_text(self.rnd, 180) + f" The answer is ({said})."]],
                "filtered_resps": [said],
                "filter": "custom-extract",
                "metrics": ["exact_match"],
                "exact_match": float(said == target),
                "doc_hash": f"{doc_id:064x}",
            }
        ]

    def task_samples(self, task: str, logged: int):
        make = {"kmmlu_like": self.mc, "gsm8k_like": self.gsm, "mmlu_pro_like": self.pro}[task]
        count, doc_id = 0, 0
        while count < logged:
            for sample in make(doc_id):
                yield sample
                count += 1
            doc_id += 1


def _gz(samples) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as raw:
        for sample in samples:
            raw.write((json.dumps(sample, ensure_ascii=False) + "\n").encode())
    return buffer.getvalue()


def store_run(checkpoint, suite, size: int, seed: int):
    """A run executed as shards of SHARD logged samples, each stored through the real save path."""
    from itertools import islice

    from evaluation import artefacts
    from evaluation.models import EvaluationRun, RunStatus
    from evaluation.services import runs, shards

    run = EvaluationRun.objects.create(
        checkpoint=checkpoint, suite_version=suite, status=RunStatus.QUEUED, manifest_digest=checkpoint.manifest_digest
    )
    _, token = runs.run_claim(run_id=run.pk, worker_host="bench")
    generator, plan = Generator(seed, accuracy=0.55 + seed / 100), []
    for task, share in MIX.items():
        logged = round(size * share)
        plan += [(task, min(SHARD, logged - start)) for start in range(0, logged, SHARD)]
    assert shards.run_plan(
        run_id=run.pk,
        token=token,
        shards=[
            {"task": task, "pieces": [{"subtask": task, "start": None, "end": None}], "documents": n}
            for task, n in plan
        ],
    )
    streams = {task: generator.task_samples(task, round(size * share)) for task, share in MIX.items()}
    for shard, (task, n) in zip(run.shards.order_by("position"), plan):
        _, shard_token = shards.shard_claim(shard_id=shard.pk, worker_host="bench")
        name = artefacts.save(
            f"runs/{run.pk}/shard-{shard.position}/attempt-1/samples.jsonl.gz", _gz(islice(streams[task], n))
        )
        assert shards.shard_succeed(
            shard_id=shard.pk, token=shard_token, raw_metrics={}, report={}, samples_artefact=name, log_artefact=""
        )
    _, token = shards.run_claim_merge(run_id=run.pk, worker_host="bench")
    results = {
        "results": {task: {metric: 0.6, metric.replace(",", "_stderr,"): 0.01} for task, metric, *_ in TASKS},
        "n-samples": {},
        "configs": {},
        "versions": {},
        "n-shot": {},
    }
    assert runs.run_succeed(
        run_id=run.pk,
        token=token,
        results=results,
        versions={"lm_eval": "0.4.13"},
        backend="hf",
        device="cpu",
        batch_size=16,
    )
    run.refresh_from_db()
    return run


def item_rows(run, seed: int, size: int):
    """Teams 2–5's official runs: rows with the same items as a 120k run (the finalise reads each
    row's task and value only), written directly with a compact sample."""
    from evaluation.services.samples import insert_rows

    rnd = random.Random(seed)

    def rows():
        position = 0
        for task, share in MIX.items():
            for doc_id in range(round(size * share)):
                value = float(rnd.random() < 0.5 + seed / 50)
                yield {
                    "position": position,
                    "task": task,
                    "subtask": task,
                    "doc_id": doc_id,
                    "filter": "none",
                    "value": value,
                    "correct": value == 1.0,
                    "search_text": "",
                    "sample": {"task": task, "doc_id": doc_id},
                }
                position += 1

    insert_rows(run.pk, None, rows())


def timed(fn, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        body, targets = measure()
    finally:
        teardown_databases(old, verbosity=0)
    emit(
        key="samples", title="Programme-size evaluation data", command="make bench-samples", body=body, targets=targets
    )


def measure():
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from evaluation.models import RunSample, SuiteTask
    from stages.inputs import stage_inputs
    from stages.models import Nomination, NominationStatus, StageResult, StageStatus
    from stages.scoring import compute_outcome
    from stages.services.stages import stage_create, stage_finalise
    from tests.support.factories import ProgrammeFactory, TeamFactory
    from tests.support.results_builder import make_checkpoint, make_suite_version

    suite = make_suite_version(
        tasks=[(task, category, baseline, 1.0) for task, _m, category, baseline in TASKS], slug="bench-samples"
    )
    for task, metric, *_ in TASKS:
        SuiteTask.objects.filter(suite_version=suite, task=task).update(metric=metric)
    programme = ProgrammeFactory()
    teams = [TeamFactory(slug=f"bench-{i}", name_ko=f"팀 {i}", name_en=f"Team {i}") for i in range(TEAMS)]
    admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
    checkpoints = [make_checkpoint(team, target="") for team in teams]

    started = time.perf_counter()
    big = store_run(checkpoints[0], suite, SIZE, seed=1)
    store_big_s = time.perf_counter() - started
    started = time.perf_counter()
    small = store_run(make_checkpoint(teams[0]), suite, SMALL, seed=2)
    store_small_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE evaluation_runsample")  # what autovacuum does after a load
        cursor.execute("SELECT pg_total_relation_size('evaluation_runsample'), pg_relation_size('run_sample_search')")
        table_bytes, search_bytes = cursor.fetchone()
    rows = RunSample.objects.filter(run=big).count()

    client = Client()
    client.force_login(admin)
    url = f"/evaluation/runs/{big.pk}/samples/"
    counts = {task: RunSample.objects.filter(run=big, task=task).count() for task, *_ in TASKS}
    queries = []
    for task, n in counts.items():
        last = -(-n // 20)
        for query in (
            {"page": 1},
            {"page": last // 2},
            {"page": last},
            {"outcome": "correct", "page": 1},
            {"outcome": "incorrect", "page": last // 3},
            {"outcome": "correct", "page": last // 2},
        ):
            queries.append({"task": task, **query})
    queries.append({"task": "kmmlu_like", "subtask": "kmmlu_like_law", "page": 200})
    queries.append({"task": "kmmlu_like", "subtask": "kmmlu_like_law", "outcome": "incorrect", "page": 100})
    client.get(url, queries[0])  # warm the process (templates, translations)
    page_times, slowest = [], {}
    for _round in range(3):
        for query in queries:
            started = time.perf_counter()
            assert client.get(url, query).status_code == 200
            page_times.append(time.perf_counter() - started)
            key = json.dumps(query, ensure_ascii=False)
            slowest[key] = max(slowest.get(key, 0), page_times[-1])
    slowest = sorted(slowest.items(), key=lambda item: -item[1])[:3]
    sample = RunSample.objects.filter(run=big, task="kmmlu_like").order_by("position")[SIZE // 3].sample
    phrase = " ".join(sample["doc"]["question"].split()[10:13])  # three words of one question
    searches = [
        ("kmmlu_like", phrase),
        ("kmmlu_like", WORDS[0]),
        ("gsm8k_like", "The answer is 1234."),
        ("mmlu_pro_like", "(C) "),
        ("kmmlu_like", "no such phrase anywhere"),
    ]
    search_times, found = [], []
    for task, text in searches:
        times = timed(lambda: client.get(url, {"task": task, "q": text}), repeat=3)
        search_times.append(max(times))
        found.append(RunSample.objects.filter(run=big, task=task, search_text__icontains=text).count())

    export = {}
    for label, run in (("small", small), ("big", big)):
        export_url = f"/evaluation/runs/{run.pk}/samples.jsonl"
        started = time.perf_counter()
        lines = sum(chunk.count(b"\n") for chunk in client.get(export_url).streaming_content)
        seconds = time.perf_counter() - started
        gc.collect()
        tracemalloc.start()
        for _chunk in client.get(export_url).streaming_content:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        export[label] = {"samples": lines, "seconds": seconds, "rate": lines / seconds, "peak_mib": peak / 2**20}

    # The stage: 5 teams, each with an official run of SIZE items (team 1's is the run above).
    from tests.support.results_builder import make_run

    stage = stage_create(
        actor=None,
        programme=programme,
        slug="bench-stage",
        name_ko="벤치",
        name_en="Bench",
        advancing_count=3,
        suite_version=suite,
        teams=teams,
        bootstrap_samples=RESAMPLES,
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
    )
    official = [big]
    for i, checkpoint in enumerate(checkpoints[1:], start=2):
        run = make_run(checkpoint, suite, {task: 0.5 + i / 50 for task, *_ in TASKS})
        item_rows(run, seed=i, size=SIZE)
        official.append(run)
    for team, checkpoint, run in zip(teams, checkpoints, official):
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
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE evaluation_runsample")

    inputs = stage_inputs(stage)
    items = [sum(len(v) for v in team["samples"].values()) for team in inputs["teams"]]
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    compute_outcome(inputs)
    bootstrap_s = time.perf_counter() - started
    bootstrap_peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    # The same items with continuous values (no few distinct values): the chunked path.
    for team in inputs["teams"]:
        team["samples"] = {
            task: [v * 0.5 + (i % 997) / 1994 for i, v in enumerate(values)] for task, values in team["samples"].items()
        }
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    compute_outcome(inputs)
    continuous_s = time.perf_counter() - started
    continuous_peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    del inputs
    gc.collect()

    tracemalloc.start()
    started = time.perf_counter()
    result = stage_finalise(actor=admin, stage=stage)
    finalise_s = time.perf_counter() - started
    finalise_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    stored_items = sum(
        len(v) for team in StageResult.objects.get(pk=result.pk).inputs["teams"] for v in team["samples"].values()
    )

    page_p95, page_max = p95(page_times) * 1000, max(page_times) * 1000
    search_max = max(search_times) * 1000
    flat = export["big"]["peak_mib"] <= 1.5 * export["small"]["peak_mib"] + 1
    rate = min(export["small"]["rate"], export["big"]["rate"])
    body = "\n".join(
        [
            f"One run of **{rows:,} logged samples** (KMMLU-like multiple choice over {len(SUBJECTS)} subtasks, 5-shot, "
            f"four loglikelihood requests each; GSM8K-like 8-shot chain of thought logged once per filter, strict-match "
            f"and flexible-extract; MMLU-Pro-like 5-shot chain of thought with long generations), in lm-eval 0.4's "
            f"per-sample format, stored as {len(list(big.shards.all()))} shards of up to {SHARD:,} through "
            f"`shard_succeed` (the artefact store, then the RunSample rows) in {store_big_s:.0f} s; a second run of "
            f"{SMALL:,} in {store_small_s:.0f} s. RunSample with its indexes: {table_bytes / 2**20:,.0f} MiB, of which "
            f"the trigram index {search_bytes / 2**20:,.0f} MiB.",
            "",
            f"**Sample browser** (`GET /evaluation/runs/<id>/samples/` through Django's test client, a reviewer, "
            f"{len(page_times)} requests: first, middle and last pages of each task, correct/incorrect filters, a "
            f"subtask deep page): p95 {page_p95:.1f} ms, slowest {page_max:.1f} ms, median "
            f"{statistics.median(page_times) * 1000:.1f} ms. Slowest: "
            + "; ".join(f"`{query}` {seconds * 1000:.0f} ms" for query, seconds in slowest)
            + ".",
            "",
            "**Search** (the same view with `q`, slowest of 3 each):",
            "",
            table(
                ["task", "query", "rows found", "slowest (ms)"],
                [
                    [task, f"`{text}`", f"{n:,}", f"{t * 1000:.1f}"]
                    for (task, text), n, t in zip(searches, found, search_times)
                ],
                align="llrr",
            ),
            "",
            "**Export** (`GET /evaluation/runs/<id>/samples.jsonl`: the shards' stored logs read by 1 MiB slices and "
            "inflated as they stream, JSON lines as the harness logged them; peak Python memory during a second pass, "
            "by tracemalloc):",
            "",
            table(
                ["run", "samples", "seconds", "samples/s", "peak memory (MiB)"],
                [
                    [label, f"{e['samples']:,}", f"{e['seconds']:.2f}", f"{e['rate']:,.0f}", f"{e['peak_mib']:.1f}"]
                    for label, e in export.items()
                ],
            ),
            "",
            f"**Stage bootstrap**: {TEAMS} teams × {min(items):,}–{max(items):,} items × {RESAMPLES:,} resamples "
            f"(the items read from RunSample), `compute_outcome` whole (task resamples, reviewers, users, the order "
            f"per resample): {bootstrap_s:.2f} s, peak {bootstrap_peak:.3f} GiB (numpy's arrays included, "
            f"tracemalloc). 0/1 items are resampled as counts (multinomial); the same items made continuous (every "
            f"value distinct, the chunked path): {continuous_s:.2f} s, peak {continuous_peak:.3f} GiB.",
            "",
            f"**Finalise** (`stage_finalise`: the inputs gathered from RunSample, the outcome, the digest hashed as "
            f"it is encoded, the StageResult stored, teams eliminated): {finalise_s:.1f} s, peak Python memory "
            f"{finalise_peak:,.0f} MiB; {stored_items:,} items stored.",
        ]
    )
    targets = [
        Target(
            "sample browser page p95",
            f"{page_p95:.1f} ms",
            "≤ 100 ms",
            page_p95 <= 100,
            "Deep pages count and skip index entries up to their offset; the slowest are named above.",
        ),
        Target(
            "text search",
            f"{search_max:.0f} ms",
            "≤ 300 ms",
            search_max <= 300,
            "A short or common query matches most rows; each candidate is re-checked against its text.",
        ),
        Target(
            "export rate",
            f"{rate:,.0f} samples/s",
            "≥ 20,000 samples/s",
            rate >= 20000,
            "Reading the stored logs from PostgreSQL by slices and inflating them; long prompts are most of it.",
        ),
        Target(
            "export memory 20k vs 120k",
            f"{export['small']['peak_mib']:.1f} vs {export['big']['peak_mib']:.1f} MiB",
            "flat",
            flat,
            "The peak grew with the run's size.",
        ),
        Target(
            "bootstrap 5×120k×1000",
            f"{bootstrap_s:.2f} s, {bootstrap_peak:.2f} GiB",
            "≤ 10 s, ≤ 2 GiB",
            bootstrap_s <= 10 and bootstrap_peak <= 2,
            "See the continuous-items figure.",
        ),
        Target("finalise", f"{finalise_s:.1f} s", "≤ 30 s", finalise_s <= 30, "Reading and storing the items."),
    ]
    return body, targets


if __name__ == "__main__":
    main()
