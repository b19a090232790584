"""What a run scores is what was hashed: the worker copies exactly the manifest's files into
platform storage, hashing them as they are copied, and the evaluation loads that read-only copy."""

import hashlib
import stat
from pathlib import Path

import pytest

from evaluation import runner
from evaluation.checkpoint_files import CheckpointProblem, build_manifest
from evaluation.child import Outcome
from evaluation.services import runs, shards
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate
from evaluation.staging import remove_staged, stage_checkpoint

from .conftest import plan_one_shard


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_copy_holds_exactly_the_manifest_read_only(folder, checkpoint_root, team_a, tmp_path):
    team_root = checkpoint_root / team_a.slug
    manifest, digest, _size = build_manifest(folder, team_root=team_root)
    (folder / "added-later.safetensors").write_bytes(b"not in the manifest")
    staged = tmp_path / "staged"
    assert stage_checkpoint(folder, staged, manifest=manifest, team_root=team_root) == digest
    assert sorted(p.name for p in staged.iterdir()) == sorted(item["path"] for item in manifest)
    assert {stat.S_IMODE(p.stat().st_mode) for p in staged.iterdir()} == {0o444}
    assert stat.S_IMODE(staged.stat().st_mode) == 0o555
    remove_staged(staged)
    assert not staged.exists()


def test_a_changed_file_gives_another_digest_and_a_link_outside_is_refused(folder, checkpoint_root, team_a, tmp_path):
    team_root = checkpoint_root / team_a.slug
    manifest, digest, _size = build_manifest(folder, team_root=team_root)
    (folder / "config.json").write_text('{"architectures": ["Changed"]}')
    assert stage_checkpoint(folder, tmp_path / "a", manifest=manifest, team_root=team_root) != digest
    secret = tmp_path / "elsewhere.json"
    secret.write_text("{}")
    (folder / "config.json").unlink()
    (folder / "config.json").symlink_to(secret)
    with pytest.raises(CheckpointProblem, match="outside your team's folder"):
        stage_checkpoint(folder, tmp_path / "b", manifest=manifest, team_root=team_root)


def _planned_shard(people, team_a, suite_version):
    """A validated checkpoint's run, planned into one shard (as a worker's planning would)."""
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version)
    return checkpoint, plan_one_shard(run)


def test_a_file_swapped_after_hashing_is_never_scored(
    monkeypatch, people, team_a, folder, suite_version, checkpoint_root, settings
):
    checkpoint, shard = _planned_shard(people, team_a, suite_version)
    hashed = {item["path"]: item["sha256"] for item in checkpoint.manifest}
    seen = {}

    def evaluate(step, spec, **kwargs):
        # The team swaps its weights the moment the evaluation starts.
        (Path(checkpoint.resolved_path) / "model.safetensors").write_bytes(b"swapped in" * 100)
        loaded = Path(spec["model_path"])
        seen.update(
            path=loaded,
            sha=_sha(loaded / "model.safetensors"),
            mode=stat.S_IMODE((loaded / "model.safetensors").stat().st_mode),
        )
        return Outcome("stopped")

    monkeypatch.setattr(runner, "run_in_child", evaluate)
    assert runner.execute_shard(shard.pk, worker_host="test") == "stopped"
    assert seen["path"] != Path(checkpoint.resolved_path) and seen["path"].is_relative_to(settings.EVAL_RUNS_DIR)
    assert seen["sha"] == hashed["model.safetensors"] and seen["mode"] == 0o444
    runs.run_cancel(actor=people["member_a"], run=shard.run)
    runner.remove_host_copies(settings.EVAL_RUNS_DIR, keep=runner._running_runs)
    assert not seen["path"].exists()  # the host's copy goes once the run has ended


def test_copying_and_hashing_are_not_billed(people, team_a, folder, suite_version, checkpoint_root):
    _checkpoint, shard = _planned_shard(people, team_a, suite_version)
    shard, token = shards.shard_claim(shard_id=shard.pk, worker_host="gpu-1")
    assert shard.started_at is None  # claimed, still copying: no GPU time yet
    shards.shard_started_process(shard_id=shard.pk, token=token, gpus=1, process_id=12345)
    shard.refresh_from_db()
    assert shard.started_at is not None and shard.gpus == 1
