"""Celery tasks: each only calls a service or the generator."""

import socket

from celery import shared_task


@shared_task(name="arena.generate_answers", ignore_result=True)
def generate_answers(job_id: int) -> str:
    from arena.generator import generate_answers as run

    return run(job_id, worker_host=socket.gethostname())


@shared_task(name="arena.compute_result", ignore_result=True)
def compute_result(campaign_id: int) -> str:
    from arena.models import Campaign
    from arena.services.campaigns import campaign_result_compute

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "gone"
    return str(campaign_result_compute(campaign=campaign).judgments_digest)


@shared_task(name="arena.tend_generation")
def tend_generation() -> dict:
    """Lost messages sent again; jobs whose worker vanished failed with the reason."""
    from arena.services.generation import generation_tend

    return generation_tend()
