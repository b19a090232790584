"""Faults on the worker's disks: the runs folder is full, or a checkpoint's folder cannot be read.

Real faults that bite as root (chmod does not stop root):
- disk full: the first shard's samples file is a symlink to /dev/full, so every write to it
  fails with ENOSPC, exactly as on a full disk;
- unreadable folder: the checkpoint's folder is replaced, after validation, by a symlink to
  itself, so opening it fails with ELOOP (as an unmounted or broken share would fail).
Each run must end failed with a clear reason, in Korean as workers write it, and the same
worker must go on serving: a following good run succeeds on it."""

import os
import shutil
import signal

import pytest

from evaluation.models import RunStatus, TaskResult

from .conftest import korean, prefix

pytestmark = pytest.mark.slow
DISK_FULL = "The platform's disk is full: the evaluation could not write its output (%(error)s)."
UNREADABLE = "The checkpoint's folder cannot be read: %(error)s."


def test_a_full_disk_and_an_unreadable_checkpoint_fail_clearly_and_the_worker_keeps_serving(
    steady, settings, team_a, ready_checkpoint, ko_smoke
):
    full, lost, good = (ready_checkpoint(name) for name in ("disk-full", "disk-lost", "disk-good"))

    # The worker is paused while the run is queued, so the fault is in place before it starts.
    os.kill(steady.worker.pid, signal.SIGSTOP)
    try:
        run_id = steady.submit(full)
        attempt = steady.runs_dir / str(run_id) / "shard-0" / "attempt-1"
        attempt.mkdir(parents=True)
        (attempt / "samples.jsonl.gz").symlink_to("/dev/full")
    finally:
        os.kill(steady.worker.pid, signal.SIGCONT)
    run = steady.finished(run_id)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(prefix(DISK_FULL)) and korean(run.error), run.error
    assert "No space left on device" in run.error
    assert not run.counts_against_quota  # the platform's disk, not the team's model
    assert not TaskResult.objects.filter(run=run).exists()
    first_host = run.worker_host

    folder = settings.CHECKPOINT_ROOT / team_a.slug / "disk-lost"
    shutil.rmtree(folder)
    folder.symlink_to(folder)  # ELOOP for anyone, root included
    run = steady.finished(steady.submit(lost))
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(prefix(UNREADABLE)) and korean(run.error), run.error
    assert "symbolic links" in run.error
    assert not TaskResult.objects.filter(run=run).exists()

    run = steady.finished(steady.submit(good))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.worker_host == first_host and steady.worker.poll() is None  # the same worker, still serving
    assert TaskResult.objects.filter(run=run).count() == ko_smoke.tasks.count()
