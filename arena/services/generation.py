"""Generation jobs: a checkpoint's answers to every prompt of the campaign, written by the worker.
When every team's answers are in, the campaign opens for judging."""
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from arena.models import Answer, Campaign, CampaignEntry, CampaignStatus, GenerationJob, JobStatus, Prompt
from audit.services import audit_record


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
    Answer.objects.bulk_create(Answer(entry=entry, prompt_id=prompts[key], job=job, text=text)
                               for key, text in answers.items())
    digest = answers_digest(answers)
    audit_record(actor=None, action="arena.answers.store", target=entry,
                 after={"team": entry.team_id, "checkpoint": entry.checkpoint_id, "answers": len(answers),
                        "digest": digest, "job": job.pk if job else None})
    _open_judging_if_complete(entry.campaign)
    return len(answers)


@transaction.atomic
def generation_succeed(*, job_id: int, answers: dict[str, str], settings_used: dict) -> bool:
    job = GenerationJob.objects.select_for_update().select_related("entry__campaign").filter(
        pk=job_id, status=JobStatus.RUNNING).first()
    if job is None:
        return False
    answers_store(entry=job.entry, answers=answers, job=job)
    job.status, job.finished_at = JobStatus.SUCCEEDED, timezone.now()
    job.settings, job.answers_digest = settings_used, answers_digest(answers)
    job.save(update_fields=["status", "finished_at", "settings", "answers_digest"])
    return True


@transaction.atomic
def generation_fail(*, job_id: int, error: str) -> None:
    job = GenerationJob.objects.select_for_update().filter(pk=job_id).exclude(
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first()
    if job is None:
        return
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), (error or "failed")[:8000]
    job.save(update_fields=["status", "finished_at", "error"])
    audit_record(actor=None, action="arena.generation.fail", target=job, after={"error": job.error[:500]})
