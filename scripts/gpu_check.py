"""The GPU path, proven on a machine with an NVIDIA GPU (scripts/gpu_check.sh runs this).

Builds the first demo checkpoint, then evaluates the ko-smoke suite through the platform's own
evaluation steps (plan → shards → merge, evaluation/harness.py) once on the vLLM backend and
once on hf/CUDA, prints both metrics and wall times, and exits 1 when a task's metric differs
by more than TOLERANCE. vLLM and transformers use different kernels, so log-likelihoods can
differ in the last digits and flip a near-tie: 0.03 is three items in a hundred.

`--cpu` runs only hf on the CPU (to check this script where there is no GPU)."""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TOLERANCE = 0.03

import django  # noqa: E402

django.setup()

from evaluation import harness, sharding  # noqa: E402
from evaluation.demo_checkpoints import DEMO_PLAN, make_demo_checkpoints  # noqa: E402
from evaluation.suite_files import SUITES_DIR, parse_suite  # noqa: E402

SEEDS = {"random_seed": 0, "numpy_random_seed": 1234, "torch_random_seed": 1234, "fewshot_random_seed": 1234}


def evaluate(model_path: Path, *, backend: str, device: str, scratch: Path) -> tuple[dict, float]:
    suite = parse_suite(SUITES_DIR / "ko-smoke.yaml")
    tasks = [{"task": t["task"], "n_shot": t["n_shot"], "protocol": t["protocol"]} for t in suite.tasks]
    spec = {
        "model_path": str(model_path),
        "backend": backend,
        "device": device,
        "dtype": "float32",
        "batch_size": 16,
        "seeds": SEEDS,
        "tensor_parallel_size": 1,
        "threads": 0,
        "include_paths": [str(p) for p in suite.include_paths()],
        "tasks": tasks,
    }
    quiet = lambda done, task: None  # noqa: E731
    started = time.perf_counter()
    shards = sharding.plan(harness.plan(spec, quiet)["tasks"], shard_documents=60)
    done = []
    for number, shard in enumerate(shards):
        entry = next(t for t in tasks if t["task"] == shard["task"])
        out = harness.evaluate_shard(
            {
                **spec,
                "task": entry,
                "pieces": shard["pieces"],
                "samples_file": str(scratch / f"{backend}-{number}.jsonl.gz"),
            },
            quiet,
        )
        done.append({"pieces": shard["pieces"], **out})
    results = harness.merge(
        {**spec, "raw_metrics": sharding.merge_raw_metrics(done), "reports": [d["report"] for d in done]}, quiet
    )
    seconds = time.perf_counter() - started
    return {t["task"]: results["results"][t["task"]][t["metric"]] for t in suite.tasks}, seconds


def main() -> int:
    cpu_only = "--cpu" in sys.argv
    scratch = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    harness.prepare_environment(scratch / "cache")
    model = make_demo_checkpoints(scratch / "checkpoints", plan=[DEMO_PLAN[0]])[0][1]
    runs = {"hf/cpu": ("hf", "cpu")} if cpu_only else {"vllm": ("vllm", "cuda"), "hf/cuda": ("hf", "cuda")}
    measured = {}
    for label, (backend, device) in runs.items():
        scores, seconds = evaluate(model, backend=backend, device=device, scratch=scratch)
        measured[label] = scores
        print(f"{label:8} {seconds:7.1f} s  " + json.dumps(scores), flush=True)
    if cpu_only:
        return 0
    worst = max(abs(measured["vllm"][task] - measured["hf/cuda"][task]) for task in measured["vllm"])
    print(f"largest difference {worst:.4f} (tolerance {TOLERANCE})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
