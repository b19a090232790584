"""Reading a submitted folder: every refusal comes with a reason a person understands."""

import json
import os
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from evaluation.checkpoint_files import (
    CheckpointProblem,
    build_manifest,
    containment_root,
    inspect_checkpoint,
    resolve_source,
)


@pytest.fixture
def team_root(tmp_path):
    root = tmp_path / "checkpoints"
    (root / "team-a").mkdir(parents=True)
    (root / "team-b" / "theirs").mkdir(parents=True)
    return root


def make_checkpoint(path, *, config=None):
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(
        json.dumps(config or {"architectures": ["LlamaForCausalLM"], "model_type": "llama"})
    )
    (path / "tokenizer.json").write_text("{}")
    save_file(
        {"embed": torch.zeros(10, 4), "head": torch.zeros(4, 3, dtype=torch.bfloat16)}, str(path / "model.safetensors")
    )
    return path


def test_reads_parameters_and_dtypes_from_headers(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    found = inspect_checkpoint(path)
    assert found.architecture == "LlamaForCausalLM"
    assert found.parameter_count == 52
    assert found.dtypes == {"F32": 40, "BF16": 12}


def test_resolves_inside_the_team_folder_only(team_root):
    make_checkpoint(team_root / "team-a" / "v1")
    assert resolve_source("v1", team_slug="team-a", root=team_root) == (team_root / "team-a" / "v1").resolve()
    with pytest.raises(CheckpointProblem, match="leaves your team's folder"):
        resolve_source("../team-b/theirs", team_slug="team-a", root=team_root)
    with pytest.raises(CheckpointProblem, match="leaves your team's folder"):
        resolve_source(str(team_root / "team-b" / "theirs"), team_slug="team-a", root=team_root)
    os.symlink(team_root / "team-b" / "theirs", team_root / "team-a" / "sneaky")
    with pytest.raises(CheckpointProblem, match="leaves your team's folder"):
        resolve_source("sneaky", team_slug="team-a", root=team_root)
    with pytest.raises(CheckpointProblem, match="not found"):
        resolve_source("nope", team_slug="team-a", root=team_root)


def test_hub_sources_need_a_hub(team_root):
    with pytest.raises(CheckpointProblem, match="reachable model hub"):
        resolve_source("hf://org/model@" + "a" * 40, team_slug="team-a", root=team_root)
    with pytest.raises(CheckpointProblem, match="40-hex"):
        resolve_source("hf://org/model@main", team_slug="team-a", root=team_root)


@pytest.mark.parametrize(
    "damage,reason",
    [
        (lambda p: (p / "config.json").unlink(), "config.json missing"),
        (lambda p: (p / "config.json").write_text("{not json"), "config.json is not valid JSON"),
        (lambda p: (p / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "x.Y"}})), "auto_map"),
        (lambda p: (p / "pytorch_model.bin").write_bytes(b"pickle"), "Pickle weights are refused"),
        (lambda p: (p / "model.safetensors").unlink(), "No .safetensors"),
        (lambda p: (p / "tokenizer.json").unlink(), "Tokenizer files missing"),
        (lambda p: (p / "model.safetensors").write_bytes(struct.pack("<Q", 5) + b"{oops"), "header is not valid JSON"),
        (lambda p: (p / "model.safetensors").write_bytes(b"\x01"), "too short"),
        (
            lambda p: (p / "model.safetensors").write_bytes(struct.pack("<Q", 10**12) + b"{}"),
            "header length is impossible",
        ),
    ],
)
def test_refusals_name_the_problem(team_root, damage, reason):
    path = make_checkpoint(team_root / "team-a" / "v1")
    damage(path)
    with pytest.raises(CheckpointProblem, match=reason):
        inspect_checkpoint(path)


def test_truncated_weights_are_refused(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    data = (path / "model.safetensors").read_bytes()
    (path / "model.safetensors").write_bytes(data[:-20])
    with pytest.raises(CheckpointProblem, match="outside the file"):
        inspect_checkpoint(path)


def test_manifest_is_stable_and_changes_with_any_byte(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    seen = []
    manifest, digest, size = build_manifest(path, team_root=team_root / "team-a", on_progress=seen.append)
    assert [m["path"] for m in manifest] == ["config.json", "model.safetensors", "tokenizer.json"]
    assert size == sum(m["size"] for m in manifest)
    assert seen[-1] == 100
    assert build_manifest(path, team_root=team_root / "team-a")[1] == digest
    (path / "tokenizer.json").write_text("{ }")
    assert build_manifest(path, team_root=team_root / "team-a")[1] != digest


def test_a_file_linked_from_another_team_is_refused(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    (team_root / "team-b" / "secret.safetensors").write_bytes(b"x")
    os.symlink(team_root / "team-b" / "secret.safetensors", path / "extra.safetensors")
    with pytest.raises(CheckpointProblem, match="links outside"):
        build_manifest(path, team_root=team_root / "team-a")


def test_a_pinned_hub_commit_is_downloaded_into_the_team_folder(team_root, monkeypatch):
    """The hub itself cannot exist here: its download function is replaced by one that writes a checkpoint."""
    calls = []

    def fake_snapshot_download(*, repo_id, revision, local_dir, allow_patterns):
        calls.append((repo_id, revision, allow_patterns))
        make_checkpoint(Path(local_dir))

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    commit = "0123456789abcdef0123456789abcdef01234567"
    source = f"hf://org/model@{commit}"
    path = resolve_source(source, team_slug="team-a", root=team_root, allow_hub=True)
    # Downloaded where the platform writes, not into the team's own (team-writable) folder.
    assert path == containment_root(source, team_slug="team-a", root=team_root)
    assert not path.is_relative_to((team_root / "team-a").resolve())
    assert build_manifest(path, team_root=path)[2] > 0
    assert inspect_checkpoint(path).parameter_count == 52
    assert calls[0][:2] == ("org/model", commit) and "*.bin" not in calls[0][2]


@pytest.mark.parametrize(
    "header",
    [
        {"w": {"dtype": "F32", "shape": ["x"], "data_offsets": [0, 4]}},
        {"w": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}},
        {"w": {"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]}},
        {"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}},
    ],
)
def test_odd_headers_are_refused_not_crashed_on(team_root, header):
    path = make_checkpoint(team_root / "team-a" / "v1")
    raw = json.dumps(header).encode()
    (path / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * 8)
    with pytest.raises(CheckpointProblem, match="described wrongly"):
        inspect_checkpoint(path)


def test_odd_config_and_symlink_loops_are_refused(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1", config={"architectures": 5})
    with pytest.raises(CheckpointProblem, match="architectures"):
        inspect_checkpoint(path)
    os.symlink(team_root / "team-a" / "loop", team_root / "team-a" / "loop")
    with pytest.raises(CheckpointProblem, match="symlink loop"):
        resolve_source("loop", team_slug="team-a", root=team_root)


def test_a_linked_folder_inside_a_checkpoint_is_refused(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    os.symlink(team_root / "team-b", path / "sub")
    with pytest.raises(CheckpointProblem, match="link to a folder"):
        build_manifest(path, team_root=team_root / "team-a")


def test_a_shard_index_naming_missing_shards_is_refused(team_root):
    path = make_checkpoint(team_root / "team-a" / "v1")
    (path / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"embed": "model.safetensors", "head": "../../team-b/theirs.safetensors"}})
    )
    with pytest.raises(CheckpointProblem, match="not in the checkpoint"):
        inspect_checkpoint(path)
