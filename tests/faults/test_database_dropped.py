"""Fault: PostgreSQL drops the worker's connection while it evaluates, and while it saves a
run's results.

Deterministic timing, no test hook in the product: this test holds an exclusive lock on the
audit table, which the save writes last, inside the same transaction as the results. The
worker's save then waits in PostgreSQL with its task results already inserted (its backend
holds a lock on evaluation_taskresult), and the test ends that backend with
pg_terminate_backend, as a failover or an administrator would. The product must never leave
half a save: the results appear complete or not at all. It retries the save on a fresh
connection (the merge is done; its results are in hand); if every try is cut, the run
ends failed with the reason."""

import os
import signal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from evaluation.models import EvaluationRun, RunShard, RunStatus, TaskResult
from evaluation.runner import SAVE_ATTEMPTS
from originality.models import OriginalityReport
from tests.support.workers import database_url, wait_for

from .conftest import korean, prefix

pytestmark = pytest.mark.slow
LOST = "The results could not be saved: the database connection was lost %(n)s times (%(error)s)."


def _cut_saves(hold, times: int, log) -> None:
    """Terminate the worker's backend each time it waits on the audit lock in the middle of a save."""
    cut: set[int] = set()

    def waiting_save():
        hold.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen per transaction
        rows = hold.execute(
            "SELECT a.pid FROM pg_stat_activity a WHERE a.datname = current_database() "
            "AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock' AND a.query ILIKE %s",
            ["%audit_auditevent%"],
        ).fetchall()
        return [pid for (pid,) in rows if pid not in cut]

    while len(cut) < times:
        pid = wait_for(waiting_save, timeout=240, what="the worker's save to wait on the lock", log=log)[0]
        # The results are written (uncommitted) when the connection is cut: half a save exists.
        assert hold.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND c.relname = 'evaluation_taskresult'",
            [pid],
        ).fetchone()[0]
        assert hold.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        cut.add(pid)


def _submit_then_lock(steady, checkpoint, hold) -> int:
    """The request and the planning write their own audit rows: lock only once they are in, well
    before the merge's save (the shards take seconds)."""
    run_id = steady.submit(checkpoint)
    wait_for(
        lambda: RunShard.objects.filter(run_id=run_id).exists(), timeout=240, what="the run's planning", log=steady.log
    )
    hold.execute("LOCK TABLE audit_auditevent IN ACCESS EXCLUSIVE MODE")
    assert EvaluationRun.objects.get(pk=run_id).status in (RunStatus.QUEUED, RunStatus.RUNNING)
    return run_id


def test_a_save_cut_once_is_retried_and_a_save_cut_every_time_fails_with_a_reason(
    steady, settings, ready_checkpoint, ko_smoke
):
    settings.EVAL_BATCH_SIZE = 1  # seconds between the request and the save
    checkpoint = ready_checkpoint("db-fault")
    # The originality check the checkpoint queued writes an audit row too: let it finish first.
    wait_for(
        lambda: OriginalityReport.objects.filter(checkpoint=checkpoint, status__in=["done", "failed"]).exists(),
        timeout=240,
        what="the originality check",
        log=steady.log,
    )
    with psycopg.connect(database_url()) as hold:  # one transaction, until rollback
        doomed = _submit_then_lock(steady, checkpoint, hold)
        _cut_saves(hold, SAVE_ATTEMPTS, steady.log)
        hold.rollback()  # the lock goes; the failure can be recorded
        run = steady.finished(doomed)
        assert run.status == RunStatus.FAILED
        assert run.error.startswith(prefix(LOST)) and korean(run.error), run.error
        assert "terminating connection" in run.error
        assert not run.counts_against_quota  # the platform's fault, not the team's
        assert not TaskResult.objects.filter(run=run).exists()  # none of it, never half
        assert not AuditEvent.objects.filter(action="run.succeeded", target_id=str(run.pk)).exists()

        saved = _submit_then_lock(steady, checkpoint, hold)  # a failed run is not reused: this one runs
        _cut_saves(hold, 1, steady.log)
        hold.rollback()
        run = steady.finished(saved)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.attempts == 2  # one planning, one merge: the save was retried, not the merge
        assert set(run.shards.values_list("attempts", flat=True)) == {1}  # nor any shard
        assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
        assert AuditEvent.objects.filter(action="run.succeeded", target_id=str(run.pk)).count() == 1
    assert steady.worker.poll() is None
    assert EvaluationRun.objects.filter(pk__in=[doomed, saved]).count() == 2


def test_a_connection_dropped_while_the_run_evaluates_is_reopened_and_the_run_completes(
    steady, settings, ready_checkpoint, ko_smoke
):
    """The evaluation process is paused (SIGSTOP) so the run is certainly in progress; the worker
    keeps beating, the test ends every worker backend, and the next beats must reconnect."""
    settings.EVAL_BATCH_SIZE = 1
    checkpoint = ready_checkpoint("db-beat")
    run_id = steady.submit(checkpoint)
    shard = wait_for(
        lambda: RunShard.objects.filter(run_id=run_id, status="running", process_id__isnull=False).first(),
        timeout=240,
        what="the evaluation process",
        log=steady.log,
    )
    os.kill(shard.process_id, signal.SIGSTOP)
    try:
        connection.ensure_connection()
        with psycopg.connect(database_url(), autocommit=True) as admin:
            ours = [connection.connection.info.backend_pid, admin.info.backend_pid]
            cut = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                "datname = current_database() AND pid <> ALL(%s)",
                [ours],
            ).fetchall()
            assert cut and all(ok for (ok,) in cut)
        after = timezone.now()
        wait_for(
            lambda: EvaluationRun.objects.filter(pk=run_id, heartbeat_at__gt=after).exists(),
            timeout=60,
            what="a heartbeat on a new connection",
            log=steady.log,
        )
    finally:
        os.kill(shard.process_id, signal.SIGCONT)
    run = steady.finished(run_id)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 2 and set(run.shards.values_list("attempts", flat=True)) == {1}
    assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
