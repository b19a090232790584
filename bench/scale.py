"""Sharded runs on one worker and on two, in one benchmark run.

One checkpoint, the ko-smoke suite cut into 8 shards (EVAL_SHARD_DOCUMENTS=60), batch size 1.
First one Celery worker (one torch thread) executes the runs; then a second identical worker
joins and the same runs are repeated. Each run is an admin's forced re-run, so nothing is
reused and every run is compared with the first: the metrics must be identical.

Run: make bench-scale   (uses BENCH_DATABASE_URL and TEST_REDIS_URL)
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
WORK = Path(tempfile.mkdtemp(prefix="bench-scale-"))
os.environ.update(
    {"CHECKPOINT_ROOT": str(WORK / "checkpoints"), "EVAL_RUNS_DIR": str(WORK / "web-runs"), "EVAL_BATCH_SIZE": "1"}
)

import django  # noqa: E402
from report import Target, emit, table  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
SHARD_DOCUMENTS = 60
WORKER_ENV = {"EVAL_SHARD_DOCUMENTS": str(SHARD_DOCUMENTS), "EVAL_TORCH_THREADS": "1"}
METHOD = """A {params:.1f}M-parameter Llama (random weights, the demo tokenizer) evaluated on the four `ko-smoke`
tasks (440 items), batch size 1, CPU, cut into {shards} shards of at most {size} documents. Each run is an
admin's forced re-run (no reuse), timed from `POST /api/runs/` to the stored result: planning, the
shards (each host copies and hashes the checkpoint once), the merge. {repeat} runs on one worker, then a
second worker (its own runs folder, as on a second host) joins and {repeat} more runs. Each worker is a
solo Celery worker whose evaluation process uses one torch thread: one worker per core, as a GPU host
runs one per GPU."""


def build_model(target: Path) -> float:
    """A model large enough that evaluation, not bookkeeping, dominates a shard."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from evaluation.demo_checkpoints import read_corpus, train_tokenizer

    tokenizer = train_tokenizer(read_corpus())
    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=384,
            intermediate_size=1024,
            num_hidden_layers=6,
            num_attention_heads=6,
            num_key_value_heads=6,
            max_position_embeddings=512,
            tie_word_embeddings=True,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    target.mkdir(parents=True)
    tokenizer.save_pretrained(target)
    model.save_pretrained(target)
    for path in [target, *target.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return sum(p.numel() for p in model.parameters()) / 1e6


def main() -> None:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    workers = []
    try:
        from rest_framework.test import APIClient

        from accounts.models import TeamRole, User
        from consortium.models import Team
        from evaluation.models import Checkpoint, EvaluationRun
        from evaluation.services.suites import suite_load
        from evaluation.suite_files import SUITES_DIR, parse_suite
        from tests.support.workers import purge_queues, start_worker, stop_worker

        call_command("seed_programme", verbosity=0)
        suite_load(actor=None, definition=parse_suite(SUITES_DIR / "ko-smoke.yaml"))
        team = Team.objects.order_by("pk").first()
        params = build_model(settings.CHECKPOINT_ROOT / team.slug / "bench-scale")
        member = User.objects.create(username="bench-member", organisation=team.lead_organisation)
        TeamRole.objects.create(user=member, team=team, role="submitter")  # may submit for the team (#18)
        admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
        client = APIClient()
        purge_queues()

        def start(name: str):
            workers.append(
                start_worker(
                    name,
                    checkpoint_root=settings.CHECKPOINT_ROOT,
                    runs_dir=WORK / f"runs-{name}",
                    log=WORK / "workers.log",
                    env=WORKER_ENV,
                )
            )
            time.sleep(15)  # imports, task index, a throwaway model load: before any measurement

        start("host-a")
        client.force_authenticate(member)
        submitted = client.post(
            "/api/checkpoints/",
            {"team": team.slug, "name": "bench-scale", "source": "bench-scale", "suites": []},
            format="json",
        ).json()
        while not Checkpoint.objects.filter(pk=submitted["id"], status="ready").exists():
            time.sleep(0.2)
        client.force_authenticate(admin)

        def timed_run() -> tuple[float, EvaluationRun]:
            started = time.perf_counter()
            response = client.post(
                "/api/runs/", {"checkpoint": submitted["id"], "suite": "ko-smoke", "force": True}, format="json"
            )
            assert response.status_code == 201, response.json()
            while not (run := EvaluationRun.objects.get(pk=response.json()["id"])).is_terminal:
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            assert run.status == "succeeded", run.error
            return elapsed, run

        one = [timed_run() for _ in range(REPEAT)]
        start("host-b")
        two = [timed_run() for _ in range(REPEAT)]

        first = one[0][1]
        shards = first.shards.count()
        scores = {(r.task, r.metric): (r.value, r.stderr) for r in first.task_results.all()}
        identical = all(
            {(r.task, r.metric): (r.value, r.stderr) for r in run.task_results.all()} == scores for _, run in one + two
        )
        hosts = [{s.worker_host.split("-")[1] for s in run.shards.all()} for _, run in two]
        t1, t2 = statistics.median(t for t, _ in one), statistics.median(t for t, _ in two)
        speedup = t1 / t2
        body = "\n\n".join(
            [
                METHOD.format(params=params, shards=shards, size=SHARD_DOCUMENTS, repeat=REPEAT),
                table(
                    ["workers", "median", "runs (s)", "hosts that took shards"],
                    [
                        ["1", f"{t1:.1f} s", ", ".join(f"{t:.1f}" for t, _ in one), "a"],
                        [
                            "2",
                            f"{t2:.1f} s",
                            ", ".join(f"{t:.1f}" for t, _ in two),
                            "; ".join("+".join(sorted(h)) for h in hosts),
                        ],
                        ["**speed-up**", f"**{speedup:.2f}×**", "", ""],
                    ],
                ),
                "Metrics and standard errors of every run identical to the first run's: "
                + ("yes (compared)." if identical else "**no**."),
                "What is not parallel: planning (one task index lookup per task), the first shard on each host "
                "copying and hashing the checkpoint, and the merge (the harness's aggregation over all documents).",
            ]
        )
        emit(
            key="scale",
            title="Sharded runs on 1 and 2 workers",
            command="make bench-scale",
            body=body,
            targets=[
                Target(
                    "speed-up on 2 workers",
                    f"{speedup:.2f}×",
                    "≥ 1.8×",
                    speedup >= 1.8,
                    "Planning, the merge and each host's first copy of the checkpoint are serial.",
                ),
                Target(
                    "metrics identical on 1 and 2 workers",
                    "identical" if identical else "different",
                    "identical",
                    identical,
                    "A run's metrics depended on how its shards were spread.",
                ),
                Target("shards per run", str(shards), "≥ 8", shards >= 8, "The suite was cut into fewer shards."),
            ],
        )
    finally:
        for worker in workers:
            stop_worker(worker)
        teardown_databases(old, verbosity=0)
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
