"""The harness's `code_eval` metric, offline and sandboxed.

lm-eval's humaneval and mbpp call `evaluate.load("code_eval")`, a metric script fetched from the
hub at run time that runs each test in a plain subprocess of the evaluation. This object answers
the same call, `compute(references=…, predictions=…, k=…)`, with the same return value
`(pass_at_k, results)`, but runs every `candidate + "\\n" + test` in a sandbox of its own
(execute.py) and never reaches the hub. pass@k is the unbiased estimator of Chen et al. (2021),
written as the metric writes it, so the floating-point result is the same."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import execute
from .outcomes import Outcome

# Every execution in this process, by (test, candidate): the evaluation attaches each sample's
# outcome to the per-sample log from here (hook.attach).
executions: dict[str, dict] = {}
# The limits and host of the evaluation now running (hook.install). Read at each call, not kept
# by the metric: the harness caches a task's utils module, and with it the metric object.
current: dict = {"limits": None, "config": None}


class SandboxRefused(RuntimeError):
    pass


def no_sandbox() -> SandboxRefused:
    from django.utils.translation import gettext

    return SandboxRefused(gettext("This suite runs model-written code but declares no sandbox: the code is not run."))


def execution_key(reference: str, candidate: str) -> str:
    return hashlib.sha256(f"{reference}\0{candidate}".encode()).hexdigest()


def estimate_pass_at_k(num_samples, num_correct, k: int) -> np.ndarray:
    """pass@k of each problem: 1 - C(n - c, k) / C(n, k), as a product for numerical stability."""

    def estimator(n: int, c: int, k: int) -> float:
        if n - c < k:
            return 1.0
        return 1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1))

    if isinstance(num_samples, int):
        num_samples = [num_samples] * len(num_correct)
    return np.array([estimator(int(n), int(c), k) for n, c in zip(num_samples, num_correct, strict=True)])


class SandboxedCodeEval:
    """What `evaluate.load("code_eval")` returns in an evaluation that has a sandbox."""

    name = "code_eval"

    def compute(self, *, predictions, references, k=(1, 10, 100), num_workers: int = 4, timeout: float = 3.0):
        # `timeout` is the hub metric's in-process alarm; the suite's sandbox limits replace it.
        if current["limits"] is None:
            raise no_sandbox()
        limits, config = current["limits"], current["config"]
        jobs = [
            (task_id, completion_id, candidate, test)
            for task_id, (candidates, test) in enumerate(zip(predictions, references, strict=True))
            for completion_id, candidate in enumerate(candidates)
        ]
        with ThreadPoolExecutor(max_workers=max(1, num_workers)) as pool:
            done = list(pool.map(lambda job: _check(*job, limits=limits, config=config), jobs))
        results = defaultdict(list)
        for (task_id, completion_id, _, _), result in zip(jobs, done, strict=True):
            results[task_id].append((completion_id, result))
        total = np.array([len(rows) for rows in results.values()])
        correct = np.array([sum(r["passed"] for _, r in rows) for rows in results.values()])
        ks = [k] if isinstance(k, int) else k
        pass_at_k = {f"pass@{n}": estimate_pass_at_k(total, correct, n).mean() for n in ks if (total >= n).all()}
        return pass_at_k, results


def _check(
    task_id: int, completion_id: int, candidate: str, test: str, *, limits: dict, config: execute.HostConfig
) -> dict:
    run = execute.run(candidate + "\n" + test, limits, config)
    executions[execution_key(test, candidate)] = {
        "outcome": str(run.outcome),
        "detail": run.detail,
        "limit": run.limit,
        "seconds": run.seconds,
        "output": run.output[:2000],
    }
    passed = run.outcome == Outcome.PASSED
    # The hub metric's wording: "passed", "timed out" or "failed: <why>".
    text = "passed" if passed else "timed out" if run.outcome == Outcome.TIMED_OUT else f"failed: {run.detail}"
    return {
        "task_id": task_id,
        "passed": passed,
        "result": text,
        "completion_id": completion_id,
        "outcome": str(run.outcome),
    }
