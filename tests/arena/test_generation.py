"""Answer generation on the evaluation machinery: a real tiny checkpoint, loaded in a forked child
with evaluation.harness.load_model, answers every prompt; the settings are recorded and the
campaign opens for judging once every team has answered."""

import datetime
import shutil

import pytest
from django.utils import timezone

from arena.generator import generate_answers
from arena.models import Answer, CampaignStatus, GenerationJob, JobStatus
from arena.services.campaigns import campaign_create
from arena.services.prompt_sets import prompt_set_create
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from stages.models import Nomination, NominationStatus
from stages.services.stages import stage_create
from tests.support.factories import ProgrammeFactory
from tests.support.results_builder import make_suite_version


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    from evaluation.demo_checkpoints import build_checkpoint, read_corpus, train_tokenizer

    corpus = read_corpus()
    target = tmp_path_factory.mktemp("tiny") / "tiny"
    return build_checkpoint(target, tokenizer=train_tokenizer(corpus), corpus_lines=corpus, steps=20, seed=7)


@pytest.fixture
def generating(people, team_a, team_b, tiny_checkpoint, tmp_path, settings):
    settings.CHECKPOINT_ROOT = tmp_path / "checkpoints"
    settings.EVAL_RUNS_DIR = tmp_path / "runs"
    settings.EVAL_TORCH_THREADS = 1
    stage = stage_create(
        actor=people["admin"],
        programme=ProgrammeFactory(),
        slug="gen-stage",
        name_ko="단계",
        name_en="Stage",
        advancing_count=1,
        suite_version=make_suite_version(),
        nomination_deadline=timezone.now() + datetime.timedelta(days=1),
        teams=[team_a, team_b],
    )
    for team in (team_a, team_b):
        shutil.copytree(tiny_checkpoint, settings.CHECKPOINT_ROOT / team.slug / "v1")
        checkpoint = checkpoint_validate(
            checkpoint_id=checkpoint_submit(actor=None, team=team, name="v1", source="v1").pk
        )
        Nomination.objects.create(
            stage=stage,
            team=team,
            checkpoint=checkpoint,
            nominated_at=timezone.now(),
            manifest_digest=checkpoint.manifest_digest,
            status=NominationStatus.ACCEPTED,
        )
    prompt_set = prompt_set_create(
        actor=people["admin"],
        slug="gen",
        title="Gen",
        prompts=[
            {"key": "q1", "category": "daily_life", "text": "서울의 날씨는 어떤가요?"},
            {"key": "q2", "category": "law", "text": "계약서에 꼭 들어가야 할 내용은?"},
        ],
    )
    return campaign_create(
        actor=people["admin"],
        stage=stage,
        prompt_set=prompt_set,
        slug="gen-panel",
        name_ko="생성",
        name_en="Generation",
        generation={"system_instruction": "답하세요.", "gen_kwargs": {"max_gen_toks": 8}},
    )


def test_each_checkpoint_answers_every_prompt_and_the_settings_are_recorded(generating):
    jobs = list(GenerationJob.objects.filter(entry__campaign=generating).order_by("pk"))
    assert [j.queue for j in jobs] == ["eval-cpu", "eval-cpu"]
    assert generate_answers(jobs[0].pk, worker_host="test") == "succeeded"
    generating.refresh_from_db()
    assert generating.status == CampaignStatus.GENERATING  # one team still to answer
    assert generate_answers(jobs[1].pk, worker_host="test") == "succeeded"
    assert generate_answers(jobs[1].pk, worker_host="test") == "not queued"  # a second message runs nothing
    generating.refresh_from_db()
    assert generating.status == CampaignStatus.JUDGING
    job = GenerationJob.objects.get(pk=jobs[0].pk)
    assert job.status == JobStatus.SUCCEEDED and len(job.answers_digest) == 64
    assert job.settings["protocol"]["gen_kwargs"] == {"max_gen_toks": 8}
    assert job.settings["protocol"]["apply_chat_template"] is False
    assert job.settings["seeds"]["torch_random_seed"] == 1234 and "lm_eval" in str(job.settings["versions"])
    assert Answer.objects.filter(entry__campaign=generating).count() == 4
    # Same checkpoint bytes, greedy decoding: the same answers.
    first = dict(Answer.objects.filter(job=jobs[0]).values_list("prompt__key", "text"))
    second = dict(Answer.objects.filter(job=jobs[1]).values_list("prompt__key", "text"))
    assert first == second


def test_a_checkpoint_changed_since_submission_fails_with_a_reason(generating, settings):
    job = GenerationJob.objects.filter(entry__campaign=generating).first()
    (settings.CHECKPOINT_ROOT / job.entry.team.slug / "v1" / "config.json").write_text("{}")
    assert generate_answers(job.pk, worker_host="test") == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "changed" in job.error


def test_lost_messages_are_sent_again_and_vanished_workers_fail_with_a_reason(
    generating, people, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.exceptions import ValidationError

    from arena.services.generation import generation_claim, generation_retry, generation_tend

    first, second = GenerationJob.objects.filter(entry__campaign=generating).order_by("pk")
    later = timezone.now() + datetime.timedelta(minutes=11)
    with django_capture_on_commit_callbacks() as sent:
        assert generation_tend(now=later) == {"resent": 2, "failed": 0}
    assert len(sent) == 2
    generation_claim(job_id=first.pk, worker_host="gone")
    much_later = timezone.now() + datetime.timedelta(hours=2)
    assert generation_tend(now=much_later)["failed"] == 1
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED and "lost" in first.error
    with django_capture_on_commit_callbacks() as sent:
        assert generation_retry(actor=people["admin"], campaign=generating) == 1
    assert len(sent) == 1
    with pytest.raises(ValidationError):
        generation_retry(actor=people["admin"], campaign=generating)  # nothing failed now
