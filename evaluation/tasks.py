"""Celery tasks: each only calls a service or the runner."""

import logging
import socket

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings

logger = logging.getLogger(__name__)


# ignore_result: nothing waits on these (the database holds the outcome), and a sender that
# subscribes to the result store waits on it for seconds while Redis is down.
@shared_task(name="evaluation.validate_checkpoint", ignore_result=True)
def validate_checkpoint(checkpoint_id: int) -> str:
    from evaluation.services.checkpoints import checkpoint_validate

    checkpoint = checkpoint_validate(checkpoint_id=checkpoint_id)
    return checkpoint.status if checkpoint else "skipped"


def _worker_name(task) -> str:
    """The worker's own name (gpu3@host): a host runs several."""
    return task.request.hostname or socket.gethostname()


@shared_task(name="evaluation.execute_run", ignore_result=True, bind=True)
def execute_run(self, run_id: int) -> str:
    from evaluation.runner import execute_run as plan

    return plan(run_id, worker_host=_worker_name(self))


@shared_task(name="evaluation.execute_shard", ignore_result=True, bind=True)
def execute_shard(self, shard_id: int) -> str:
    from evaluation.runner import execute_shard as run

    return run(shard_id, worker_host=_worker_name(self))


@shared_task(name="evaluation.merge_run", ignore_result=True, bind=True)
def merge_run(self, run_id: int) -> str:
    from evaluation.runner import merge_run as merge

    return merge(run_id, worker_host=_worker_name(self))


@shared_task(name="evaluation.reap_stale_runs")
def reap_stale_runs() -> dict:
    """Nothing stays stuck: lost workers' runs, runs whose message was lost, stalled validations."""
    from evaluation.services.checkpoints import checkpoint_revalidate_stale
    from evaluation.services.runs import run_requeue_stale, run_resend_waiting
    from evaluation.services.shards import shards_requeue_stale, shards_resend_waiting

    return {
        "requeued": run_requeue_stale(),
        "shards_requeued": shards_requeue_stale(),
        "resent": run_resend_waiting(),
        "shards_resent": shards_resend_waiting(),
        "revalidated": checkpoint_revalidate_stale(),
    }


@worker_ready.connect
@worker_process_init.connect
def warm_worker(**kwargs) -> None:
    """Prepare once per worker what every run needs: harness imports and task indexes."""
    if not settings.EVAL_WARM_WORKER:
        return
    from evaluation import harness
    from evaluation.suite_files import SuiteDefinitionError, parse_suite, suite_files

    settings.EVAL_RUNS_DIR.mkdir(parents=True, exist_ok=True)
    harness.prepare_environment(settings.EVAL_RUNS_DIR / "harness-cache")
    include_sets = set()
    for path in suite_files():
        try:
            definition = parse_suite(path)
        except SuiteDefinitionError:
            continue
        if definition.task_dirs:
            include_sets.add(tuple(str(p) for p in definition.include_paths()))
    harness.warm(sorted(include_sets), scratch=settings.EVAL_RUNS_DIR)
    logger.info("evaluation worker warm: %d task index(es)", len(include_sets))
