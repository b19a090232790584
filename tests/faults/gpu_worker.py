"""A GPU worker on a machine without a GPU: `python -m tests.faults.gpu_worker <celery args>`.

Everything that makes a worker a GPU worker is real and declared as in production
(docker-compose.yml's worker-gpu): it consumes the eval-gpu queue, its environment says
how many GPUs its host has (EVAL_HOST_GPUS, leased per shard) and the API process places runs there
(EVAL_USE_GPU). Only the GPU itself cannot exist here, so the evaluation process computes
on the CPU what the run asked of "cuda"; the run, its record and its budget charge still
say cuda, as they would on a real GPU worker."""

import sys

from evaluation import harness

_evaluate_shard = harness.evaluate_shard


def _evaluate_on_this_cpu(spec: dict, report) -> dict:
    return _evaluate_shard({**spec, "device": "cpu"}, report)


harness.evaluate_shard = _evaluate_on_this_cpu

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv[0] = "celery"
    sys.exit(main())
