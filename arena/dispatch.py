"""This app's Celery tasks, sent by name after commit (core.dispatch)."""

from core.dispatch import send_after_commit


def send_generate_answers(job_id: int, *, queue: str) -> None:
    send_after_commit("arena.generate_answers", job_id, queue=queue)


def send_compute_result(campaign_id: int) -> None:
    send_after_commit("arena.compute_result", campaign_id)
