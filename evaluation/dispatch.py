"""This app's Celery tasks, sent by name after commit (core.dispatch)."""

from core.dispatch import send_after_commit


def send_validate_checkpoint(checkpoint_id: int) -> None:
    send_after_commit("evaluation.validate_checkpoint", checkpoint_id)


def send_execute_run(run_id: int, *, queue: str) -> None:
    send_after_commit("evaluation.execute_run", run_id, queue=queue)


def send_execute_shard(shard_id: int, *, queue: str) -> None:
    send_after_commit("evaluation.execute_shard", shard_id, queue=queue)


def send_merge_run(run_id: int, *, queue: str) -> None:
    send_after_commit("evaluation.merge_run", run_id, queue=queue)


def send_originality_request(checkpoint_id: int) -> None:
    """A ready checkpoint is compared with the reference models (the originality app, above this one)."""
    send_after_commit("originality.request_check", checkpoint_id)
