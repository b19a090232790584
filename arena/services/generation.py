"""Generation jobs: a checkpoint's answers to every prompt of the campaign, written by the worker.
When every team's answers are in, the campaign opens for judging."""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arena import dispatch
from arena.models import Answer, Campaign, CampaignEntry, CampaignStatus, GenerationJob, JobStatus, Prompt
from audit.services import audit_record
from core.permissions import Action, require
from evaluation.gpu import placement

RESEND_AFTER = datetime.timedelta(minutes=10)  # a queued job's message presumed lost
LOST_GRACE = datetime.timedelta(minutes=5)  # past the time limit: the worker is gone


def generation_queue(*, entry: CampaignEntry) -> GenerationJob:
    """A new job for the entry on the evaluation workers' queue, sent after commit."""
    where = placement()
    job = GenerationJob.objects.create(
        entry=entry,
        queue=where.queue,
        sent_at=timezone.now(),
        settings={"backend": where.backend, "device": where.device},
    )
    dispatch.send_generate_answers(job.pk, queue=where.queue)
    return job


@transaction.atomic
def generation_retry(*, actor, campaign: Campaign) -> int:
    """Queue again every entry whose latest job failed (an admin, after reading the reasons)."""
    require(actor, Action.MANAGE_ARENA)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.GENERATING:
        raise ValidationError({"campaign": [_("Every team's answers are in.")]})
    retried = []
    for entry in campaign.entries.all():
        latest = entry.jobs.order_by("-created_at", "-pk").first()
        if latest is None or latest.status == JobStatus.FAILED:
            retried.append(generation_queue(entry=entry).pk)
    if not retried:
        raise ValidationError({"campaign": [_("No generation has failed.")]})
    audit_record(actor=actor, action="arena.generation.retry", target=campaign, after={"jobs": retried})
    return len(retried)


def generation_tend(*, now=None) -> dict:
    """The beat's chores: resend a job whose message was lost; fail a job whose worker vanished
    (running past the time limit), as the platform's fault, with the reason."""
    now = now or timezone.now()
    resent = 0
    for job in GenerationJob.objects.filter(status=JobStatus.QUEUED, sent_at__lt=now - RESEND_AFTER):
        GenerationJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(sent_at=now)
        dispatch.send_generate_answers(job.pk, queue=job.queue)
        resent += 1
    limit = datetime.timedelta(seconds=settings.EVAL_TIME_LIMIT_S) + LOST_GRACE
    lost = list(
        GenerationJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - limit).values_list("pk", flat=True)
    )
    for pk in lost:
        generation_fail(
            job_id=pk,
            error=_(
                "The worker generating these answers was lost (no outcome after the time "
                "limit); an admin can queue the generation again."
            ),
        )
    return {"resent": resent, "failed": len(lost)}


def answers_digest(texts_by_key: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(texts_by_key, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def generation_claim(*, job_id: int, worker_host: str) -> GenerationJob | None:
    """queued → running, once: a message delivered twice runs the job once."""
    job = GenerationJob.objects.select_for_update().filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return None
    job.status, job.started_at, job.worker_host = JobStatus.RUNNING, timezone.now(), worker_host[:200]
    job.save(update_fields=["status", "started_at", "worker_host"])
    return job


def _open_judging_if_complete(campaign: Campaign) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.GENERATING:
        return
    prompts = Prompt.objects.filter(prompt_set_id=campaign.prompt_set_id).count()
    entries = campaign.entries.count()
    if Answer.objects.filter(entry__campaign=campaign).count() == prompts * entries:
        campaign.status = CampaignStatus.JUDGING
        campaign.save(update_fields=["status"])
        audit_record(actor=None, action="arena.campaign.open", target=campaign, after={"answers": prompts * entries})


@transaction.atomic
def answers_store(*, entry: CampaignEntry, answers: dict[str, str], job: GenerationJob | None = None) -> int:
    """Store one entry's answers {prompt key: text} (every prompt of the set), audited with their digest."""
    prompts = dict(Prompt.objects.filter(prompt_set_id=entry.campaign.prompt_set_id).values_list("key", "pk"))
    if set(answers) != set(prompts):
        raise ValueError(f"answers for {len(answers)} prompts, the set has {len(prompts)}")
    Answer.objects.filter(entry=entry).delete()
    Answer.objects.bulk_create(
        Answer(entry=entry, prompt_id=prompts[key], job=job, text=text) for key, text in answers.items()
    )
    digest = answers_digest(answers)
    audit_record(
        actor=None,
        action="arena.answers.store",
        target=entry,
        after={
            "team": entry.team_id,
            "checkpoint": entry.checkpoint_id,
            "answers": len(answers),
            "digest": digest,
            "job": job.pk if job else None,
        },
    )
    _open_judging_if_complete(entry.campaign)
    return len(answers)


@transaction.atomic
def generation_succeed(*, job_id: int, answers: dict[str, str], settings_used: dict) -> bool:
    job = (
        GenerationJob.objects.select_for_update()
        .select_related("entry__campaign")
        .filter(pk=job_id, status=JobStatus.RUNNING)
        .first()
    )
    if job is None:
        return False
    answers_store(entry=job.entry, answers=answers, job=job)
    job.status, job.finished_at = JobStatus.SUCCEEDED, timezone.now()
    job.settings, job.answers_digest = settings_used, answers_digest(answers)
    job.save(update_fields=["status", "finished_at", "settings", "answers_digest"])
    return True


@transaction.atomic
def generation_fail(*, job_id: int, error: str) -> None:
    job = (
        GenerationJob.objects.select_for_update()
        .filter(pk=job_id)
        .exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
        .first()
    )
    if job is None:
        return
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), (error or "failed")[:8000]
    job.save(update_fields=["status", "finished_at", "error"])
    audit_record(actor=None, action="arena.generation.fail", target=job, after={"error": job.error[:500]})
