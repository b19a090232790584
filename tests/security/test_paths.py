"""No path a team controls reaches the filesystem outside its own folder: a checkpoint `source`
with ../, an absolute path, a symlink pointing out, another team's folder; checked both in
resolve_source and through the whole validation (checkpoint ends rejected with the reason)."""

import os

import pytest

from evaluation.checkpoint_files import CheckpointProblem, build_manifest, resolve_source
from evaluation.models import Checkpoint, CheckpointStatus
from evaluation.services.checkpoints import checkpoint_validate


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def roots(tmp_path, settings):
    root = tmp_path / "checkpoints"
    for team in ("team-a", "team-b"):
        (root / team / "model").mkdir(parents=True)
        (root / team / "model" / "config.json").write_text("{}")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    settings.CHECKPOINT_ROOT = root
    return root, outside


ESCAPES = {
    "parent": "../team-b/model",
    "deep parent": "model/../../../elsewhere",
    "absolute outside": "{outside}",
    "absolute other team": "{root}/team-b/model",
    "symlink out": "link-out",
    "symlink to other team": "link-b",
}


@pytest.mark.parametrize("case", ESCAPES)
def test_a_source_that_leaves_the_team_folder_is_refused(roots, case):
    root, outside = roots
    os.symlink(outside, root / "team-a" / "link-out")
    os.symlink(root / "team-b" / "model", root / "team-a" / "link-b")
    source = ESCAPES[case].format(root=root, outside=outside)
    with pytest.raises(CheckpointProblem, match="leaves your team's folder"):
        resolve_source(source, team_slug="team-a", root=root)


def test_the_team_own_folder_resolves(roots):
    root, _outside = roots
    assert resolve_source("model", team_slug="team-a", root=root) == (root / "team-a" / "model").resolve()
    assert resolve_source(str(root / "team-a" / "model"), team_slug="team-a", root=root).name == "model"


def test_a_file_linked_from_outside_is_refused_by_the_manifest(roots):
    root, outside = roots
    os.symlink(outside / "secret.txt", root / "team-a" / "model" / "weights.safetensors")
    with pytest.raises(CheckpointProblem):
        build_manifest(root / "team-a" / "model", team_root=(root / "team-a").resolve())


@pytest.mark.parametrize("source", ["../team-b/model", "/etc", "link-out"])
def test_validation_rejects_the_checkpoint_with_the_reason(roots, team_a, source):
    root, outside = roots
    os.symlink(outside, root / "team-a" / "link-out")
    checkpoint = Checkpoint.objects.create(team=team_a, name=f"escape-{source}", source=source)
    checkpoint_validate(checkpoint_id=checkpoint.pk)
    checkpoint.refresh_from_db()
    assert checkpoint.status == CheckpointStatus.REJECTED
    assert checkpoint.resolved_path == ""


@pytest.fixture
def runs_dir(tmp_path, settings):
    import gzip
    import json

    runs = tmp_path / "runs"
    (runs / "1").mkdir(parents=True)
    outside = tmp_path / "outside.jsonl.gz"
    with gzip.open(outside, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"task": "nia_mc", "doc_id": 0, "arguments": [["LEAKED-PROMPT", ""]]}) + "\n")
    os.symlink(outside, runs / "1" / "linked.jsonl.gz")
    settings.EVAL_RUNS_DIR = runs
    return runs, outside


@pytest.mark.parametrize("stored", ["../outside.jsonl.gz", "{outside}", "1/linked.jsonl.gz"])
def test_a_run_samples_file_outside_the_runs_folder_is_never_read(runs_dir, world, client, stored):
    from evaluation.selectors import run_samples, samples_path

    runs, outside = runs_dir
    run = world["run"]
    run.samples_file = stored.format(outside=outside)
    run.save(update_fields=["samples_file"])
    assert samples_path(run.samples_file) is None
    assert run_samples(user=world["users"]["admin"], run=run, task="nia_mc") == ([], 0)
    client.force_login(world["users"]["admin"])
    page = client.get(f"/evaluation/runs/{run.pk}/samples/", {"task": "nia_mc"})
    assert page.status_code == 200 and "LEAKED-PROMPT" not in page.content.decode()


def test_a_samples_file_inside_the_runs_folder_is_read(runs_dir, world):
    """The same file, copied inside: read (so the refusals above are about the place, not the file)."""
    import shutil

    from evaluation.selectors import run_samples, samples_path

    runs, outside = runs_dir
    shutil.copy(outside, runs / "1" / "samples.jsonl.gz")
    assert samples_path("1/samples.jsonl.gz") == (runs / "1" / "samples.jsonl.gz").resolve()
    run = world["run"]
    run.samples_file = "1/samples.jsonl.gz"
    run.save(update_fields=["samples_file"])
    rows, total = run_samples(user=world["users"]["admin"], run=run, task="nia_mc")
    assert total == 1 and "LEAKED-PROMPT" in str(rows)
