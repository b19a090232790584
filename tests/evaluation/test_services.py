"""Checkpoint and run services: permissions, validation, reuse, limits, and one writer per run."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from evaluation.models import CheckpointStatus, EvaluationRun, RunStatus, TaskResult
from evaluation.services import runs
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate

from .conftest import harness_results


@pytest.fixture
def ready(people, team_a, folder, suite_version):
    checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1")
    return checkpoint_validate(checkpoint_id=checkpoint.pk)


class TestSubmitAndValidate:
    def test_member_submits_and_validation_fills_the_manifest(self, ready):
        assert ready.status == CheckpointStatus.READY
        assert ready.parameter_count == 52 and ready.architecture == "LlamaForCausalLM"
        assert len(ready.manifest) == 3 and len(ready.manifest_digest) == 64 and ready.progress == 100
        assert AuditEvent.objects.filter(action__in=["checkpoint.submit", "checkpoint.ready"]).count() == 2

    @pytest.mark.parametrize("role", ["member_b", "reviewer", "admin"])
    def test_only_members_of_the_team_submit(self, people, team_a, folder, role):
        with pytest.raises(PermissionDenied):
            checkpoint_submit(actor=people[role], team=team_a, name="x", source="v1")

    def test_a_rejection_says_why_and_changes_nothing_else(self, people, team_a, checkpoint_root, folder):
        (folder / "config.json").unlink()
        checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1")
        checkpoint = checkpoint_validate(checkpoint_id=checkpoint.pk)
        assert checkpoint.status == CheckpointStatus.REJECTED
        assert checkpoint.rejection_reason == "config.json missing"
        assert checkpoint.manifest_digest == "" and not EvaluationRun.objects.exists()

    def test_path_escaping_the_team_folder_is_rejected(self, people, team_a, team_b, checkpoint_root):
        from .test_checkpoint_files import make_checkpoint

        make_checkpoint(checkpoint_root / team_b.slug / "theirs")
        checkpoint = checkpoint_submit(
            actor=people["member_a"], team=team_a, name="x", source=f"../{team_b.slug}/theirs"
        )
        assert (
            checkpoint_validate(checkpoint_id=checkpoint.pk).rejection_reason == "The path leaves your team's folder."
        )

    def test_validating_twice_does_nothing_the_second_time(self, ready):
        assert checkpoint_validate(checkpoint_id=ready.pk) is None

    def test_unknown_suite_is_refused(self, people, team_a, folder):
        with pytest.raises(ValidationError) as error:
            checkpoint_submit(actor=people["member_a"], team=team_a, name="x", source="v1", suites=["nope"])
        assert "suites" in error.value.message_dict


class TestRequest:
    def test_queues_with_every_input_recorded(self, people, ready, suite_version):
        run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        assert run.status == RunStatus.QUEUED and run.progress_total == 2
        assert run.seeds == runs.DEFAULT_SEEDS and run.manifest_digest == ready.manifest_digest

    def test_other_teams_and_reviewers_cannot_request(self, people, ready, suite_version):
        for role in ("member_b", "reviewer"):
            with pytest.raises(PermissionDenied):
                runs.run_request(actor=people[role], checkpoint=ready, suite_version=suite_version)

    def test_only_admins_force(self, people, ready, suite_version):
        with pytest.raises(PermissionDenied):
            runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version, force=True)
        assert runs.run_request(actor=people["admin"], checkpoint=ready, suite_version=suite_version, force=True).forced

    def test_weekly_limit_counts_only_what_the_team_caused(self, people, ready, suite_version, settings):
        settings.EVAL_SUBMISSIONS_PER_WEEK = 2

        def request_and_fail(platform_fault):
            run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
            _, token = runs.run_claim(run_id=run.pk, worker_host="w")
            runs.run_fail(run_id=run.pk, token=token, error="x", platform_fault=platform_fault)

        request_and_fail(platform_fault=False)
        request_and_fail(platform_fault=True)  # the platform's fault: not counted
        request_and_fail(platform_fault=False)
        with pytest.raises(ValidationError, match="7 days"):
            runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        EvaluationRun.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
        runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)

    def test_same_weights_same_suite_reuse_the_result(self, people, ready, suite_version, team_a, folder):
        run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        _, token = runs.run_claim(run_id=run.pk, worker_host="w")
        assert runs.run_succeed(
            run_id=run.pk,
            token=token,
            results=harness_results(),
            versions={},
            backend="hf",
            device="cpu",
            batch_size=16,
        )
        again = checkpoint_validate(
            checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="same weights", source="v1").pk
        )
        reused = runs.run_request(actor=people["member_a"], checkpoint=again, suite_version=suite_version)
        assert reused.status == RunStatus.SUCCEEDED and reused.reused_from_id == run.pk
        assert not reused.counts_against_quota
        assert [r.value for r in reused.task_results.all()] == [0.5, 0.25]

    def test_another_teams_identical_weights_are_evaluated_afresh(
        self, people, ready, suite_version, team_b, checkpoint_root
    ):
        from .test_checkpoint_files import make_checkpoint

        run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        _, token = runs.run_claim(run_id=run.pk, worker_host="w")
        runs.run_succeed(
            run_id=run.pk, token=token, results=harness_results(), versions={}, backend="hf", device="cpu", batch_size=1
        )
        make_checkpoint(checkpoint_root / team_b.slug / "v1")
        theirs = checkpoint_validate(
            checkpoint_id=checkpoint_submit(actor=people["member_b"], team=team_b, name="same", source="v1").pk
        )
        assert theirs.manifest_digest == ready.manifest_digest
        fresh = runs.run_request(actor=people["member_b"], checkpoint=theirs, suite_version=suite_version)
        assert fresh.status == RunStatus.QUEUED and fresh.reused_from_id is None and fresh.samples_file == ""


class TestExecutionBookkeeping:
    @pytest.fixture
    def run(self, people, ready, suite_version):
        return runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)

    def test_one_claim_at_a_time(self, run):
        first = runs.run_claim(run_id=run.pk, worker_host="a")
        assert first is not None and runs.run_claim(run_id=run.pk, worker_host="b") is None

    def test_results_are_stored_once_with_normalised_scores(self, run):
        _, token = runs.run_claim(run_id=run.pk, worker_host="a")
        assert runs.run_succeed(
            run_id=run.pk,
            token=token,
            results=harness_results(mc=0.625),
            versions={"lm_eval": "0.4.13"},
            backend="hf",
            device="cpu",
            batch_size=1,
        )
        rows = {r.task: r for r in TaskResult.objects.filter(run=run)}
        assert rows["mc_task"].normalised_score == pytest.approx(50.0)
        assert rows["mc_task"].stderr == 0.05 and rows["gen_task"].stderr is None
        assert rows["gen_task"].n_samples == 50
        assert not runs.run_succeed(
            run_id=run.pk, token=token, results=harness_results(), versions={}, backend="hf", device="cpu", batch_size=1
        )
        assert TaskResult.objects.filter(run=run).count() == 2

    def test_a_stale_attempt_cannot_write(self, run):
        _, old = runs.run_claim(run_id=run.pk, worker_host="a")
        EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
        assert runs.run_requeue_stale() == [run.pk]
        _, new = runs.run_claim(run_id=run.pk, worker_host="b")
        assert not runs.run_heartbeat(run_id=run.pk, token=old, progress_done=1, current_task="x")
        assert not runs.run_succeed(
            run_id=run.pk, token=old, results=harness_results(), versions={}, backend="hf", device="cpu", batch_size=1
        )
        assert runs.run_heartbeat(run_id=run.pk, token=new, progress_done=1, current_task="mc_task")
        assert EvaluationRun.objects.get(pk=run.pk).attempts == 2

    def test_reaper_gives_up_after_the_attempt_limit(self, run):
        for _ in range(run.max_attempts):
            runs.run_claim(run_id=run.pk, worker_host="a")
            EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
            runs.run_requeue_stale()
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and "giving up" in run.error and not run.counts_against_quota

    def test_results_missing_a_suite_metric_are_an_error(self, run):
        _, token = runs.run_claim(run_id=run.pk, worker_host="a")
        broken = harness_results()
        del broken["results"]["gen_task"]
        with pytest.raises(KeyError):
            runs.run_succeed(
                run_id=run.pk, token=token, results=broken, versions={}, backend="hf", device="cpu", batch_size=1
            )
        assert not TaskResult.objects.exists()

    def test_cancel_by_the_team_or_an_admin(self, people, run):
        with pytest.raises(PermissionDenied):
            runs.run_cancel(actor=people["member_b"], run=run)
        runs.run_claim(run_id=run.pk, worker_host="a")
        cancelled = runs.run_cancel(actor=people["member_a"], run=run)
        assert cancelled.status == RunStatus.CANCELLED and cancelled.claim_token is None
        with pytest.raises(ValidationError):
            runs.run_cancel(actor=people["admin"], run=run)

    def test_heartbeat_with_a_wrong_token_is_refused(self, run):
        runs.run_claim(run_id=run.pk, worker_host="a")
        assert not runs.run_heartbeat(run_id=run.pk, token=uuid.uuid4(), progress_done=0, current_task="")


class TestRequestRules:
    def test_asking_twice_returns_the_run_already_waiting(self, people, ready, suite_version):
        first = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        assert runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version) == first
        assert EvaluationRun.objects.count() == 1

    def test_a_forced_rerun_neither_needs_nor_uses_the_teams_quota(self, people, ready, suite_version, settings):
        settings.EVAL_SUBMISSIONS_PER_WEEK = 1
        first = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        _, token = runs.run_claim(run_id=first.pk, worker_host="w")
        runs.run_succeed(
            run_id=first.pk,
            token=token,
            results=harness_results(),
            versions={},
            backend="hf",
            device="cpu",
            batch_size=16,
        )
        forced = runs.run_request(actor=people["admin"], checkpoint=ready, suite_version=suite_version, force=True)
        assert forced.status == RunStatus.QUEUED and not forced.counts_against_quota

    def test_a_suite_whose_data_is_not_imported_is_refused_with_the_datasets(self, people, ready, suite_version):
        suite_version.missing_data = ["skt/kobest_v1:boolq", "openai/gsm8k:main"]
        suite_version.save()
        with pytest.raises(ValidationError, match="not been imported: skt/kobest_v1:boolq, openai/gsm8k:main"):
            runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)

    def test_reuse_needs_the_same_inputs(self, people, ready, suite_version, settings):
        run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        _, token = runs.run_claim(run_id=run.pk, worker_host="w")
        runs.run_succeed(
            run_id=run.pk,
            token=token,
            results=harness_results(),
            versions={},
            backend="hf",
            device="cpu",
            batch_size=16,
        )
        settings.EVAL_BATCH_SIZE = 4
        assert (
            runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version).status
            == RunStatus.QUEUED
        )


class TestNothingStaysStuck:
    def test_a_run_whose_message_was_lost_is_sent_again(self, people, ready, suite_version):
        run = runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        assert runs.run_resend_waiting() == []
        EvaluationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
        assert runs.run_resend_waiting() == [run.pk]
        assert runs.run_resend_waiting() == []  # not again at the next tick

    def test_a_validation_whose_worker_vanished_starts_again(self, people, team_a, folder):
        from evaluation.models import Checkpoint
        from evaluation.services.checkpoints import checkpoint_revalidate_stale

        checkpoint = checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1")
        long_ago = timezone.now() - datetime.timedelta(hours=2)
        Checkpoint.objects.filter(pk=checkpoint.pk).update(status="validating", validation_heartbeat_at=long_ago)
        assert checkpoint_revalidate_stale() == [checkpoint.pk]
        assert checkpoint_validate(checkpoint_id=checkpoint.pk).status == CheckpointStatus.READY


class TestForcedRerun:
    def _finish(self, run, **scores):
        _, token = runs.run_claim(run_id=run.pk, worker_host="w")
        runs.run_succeed(
            run_id=run.pk,
            token=token,
            results=harness_results(**scores),
            versions={},
            backend="hf",
            device="cpu",
            batch_size=16,
        )
        run.refresh_from_db()
        return run

    def test_records_that_the_scores_were_reproduced(self, people, ready, suite_version):
        original = self._finish(
            runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version)
        )
        rerun = self._finish(
            runs.run_request(actor=people["admin"], checkpoint=ready, suite_version=suite_version, force=True)
        )
        assert rerun.reproduces_id == original.pk and rerun.reproduced_exactly is True

    def test_a_difference_is_recorded_and_audited(self, people, ready, suite_version):
        self._finish(runs.run_request(actor=people["member_a"], checkpoint=ready, suite_version=suite_version))
        rerun = self._finish(
            runs.run_request(actor=people["admin"], checkpoint=ready, suite_version=suite_version, force=True), mc=0.51
        )
        assert rerun.reproduced_exactly is False
        event = AuditEvent.objects.get(action="run.not_reproduced")
        assert event.after["differences"] == {"mc_task/acc,none": [[0.5, 0.05], [0.51, 0.05]]}
