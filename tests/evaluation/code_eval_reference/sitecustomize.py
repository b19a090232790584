"""For the parity test's `python -m lm_eval` only (PYTHONPATH=this folder): the hub's
`code_eval` metric cannot be fetched offline, so `evaluate.load("code_eval")` answers with a
plain reference that runs each program in an ordinary subprocess, unsandboxed, as the hub's
metric does, and computes pass@k from binomial coefficients. Written independently of
evaluation/sandbox/, so equal scores show that the sandbox changes no outcome of well-behaved
code and that the platform's estimator matches."""

import math
import subprocess
import sys
from collections import defaultdict

import evaluate


class ReferenceCodeEval:
    def compute(self, *, predictions, references, k=(1, 10, 100), **_ignored):
        results = defaultdict(list)
        for task_id, (candidates, test) in enumerate(zip(predictions, references)):
            for completion_id, candidate in enumerate(candidates):
                try:
                    # -I: without PYTHONPATH, so the program's interpreter does not load this file
                    done = subprocess.run(
                        [sys.executable, "-I", "-c", candidate + "\n" + test], capture_output=True, timeout=10
                    )
                    passed = done.returncode == 0
                except subprocess.TimeoutExpired:
                    passed = False
                results[task_id].append((completion_id, {"passed": passed}))
        totals = [(len(rows), sum(r["passed"] for _, r in rows)) for rows in results.values()]
        ks = [k] if isinstance(k, int) else k
        return {
            f"pass@{n}": sum(1 - math.comb(t - c, n) / math.comb(t, n) for t, c in totals) / len(totals)
            for n in ks
            if all(t >= n for t, _ in totals)
        }, results


_original = evaluate.load


def _load(path, *args, **kwargs):
    return ReferenceCodeEval() if path == "code_eval" else _original(path, *args, **kwargs)


evaluate.load = _load
