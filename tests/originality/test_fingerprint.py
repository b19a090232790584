"""The streaming fingerprint: header parsing, dtypes, nested row samples, refusals."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from originality import compare
from originality.fingerprint import (
    FingerprintError,
    fingerprint_file,
    fingerprint_folder,
    sample_columns,
    sample_rows,
)


def test_values_are_read_at_the_sampled_positions_for_each_dtype(tmp_path):
    torch.manual_seed(0)
    tensors = {
        "f32": torch.randn(300, 40),
        "bf16": torch.randn(300, 40).to(torch.bfloat16),
        "f16": torch.randn(7, 3, 5).to(torch.float16),
        "ids": torch.arange(12),
    }
    save_file(tensors, str(tmp_path / "model.safetensors"))
    prints = {t.name: t for t in fingerprint_file(tmp_path / "model.safetensors")}
    assert set(prints) == set(tensors)
    for name in ("f32", "bf16", "f16"):
        matrix = tensors[name].float().reshape(tensors[name].shape[0], -1).numpy()
        rows = prints[name].rows
        cols = sample_columns(rows, matrix.shape[1]).astype(np.int64)
        expected = matrix[rows.astype(np.int64)[:, None], cols].ravel()
        assert np.array_equal(prints[name].values, expected.astype(np.float32))
        assert prints[name].shape == tuple(tensors[name].shape)
    assert prints["ids"].values.size == 0 and not prints["ids"].informative  # integers: digest only
    assert len(prints["f32"].digest) == 32


def test_row_samples_are_nested_across_table_lengths():
    short, longer, much_longer = sample_rows(1500), sample_rows(1564), sample_rows(5000)
    assert np.array_equal(short, longer[longer < 1500])  # same level: the same rows
    coarse = much_longer[much_longer < 1500]
    assert len(coarse) > 0 and np.isin(coarse, short).all()  # coarser level: a subset
    assert 64 <= len(sample_rows(100_000)) < 200


def test_resized_table_compares_its_overlapping_rows(tmp_path):
    torch.manual_seed(1)
    table = torch.randn(1500, 64)
    save_file({"embed.weight": table}, str(tmp_path / "a.safetensors"))
    save_file({"embed.weight": torch.cat([table, torch.randn(3500, 64)])}, str(tmp_path / "b.safetensors"))
    save_file({"embed.weight": torch.randn(1500, 64)}, str(tmp_path / "c.safetensors"))
    a, b, c = (next(fingerprint_file(tmp_path / f"{k}.safetensors")) for k in "abc")
    score, rows = compare.similarity(a, b)
    assert score == pytest.approx(1.0) and rows > 0
    assert abs(compare.similarity(a, c)[0]) < 0.2


def test_a_shard_index_names_the_files_to_read(tmp_path):
    save_file({"x.weight": torch.randn(4, 4)}, str(tmp_path / "part-1.safetensors"))
    save_file({"y.weight": torch.randn(4, 4)}, str(tmp_path / "part-2.safetensors"))
    save_file({"stale.weight": torch.randn(4, 4)}, str(tmp_path / "old.safetensors"))
    (tmp_path / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"x.weight": "part-1.safetensors", "y.weight": "part-2.safetensors"}})
    )
    assert [t.name for t in fingerprint_folder(tmp_path)] == ["x.weight", "y.weight"]
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"x": "gone.safetensors"}}))
    with pytest.raises(FingerprintError, match="missing shards"):
        fingerprint_folder(tmp_path)


def _header_only(header: dict) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"\x01", "too short"),
        ((10**9).to_bytes(8, "little") + b"{}", "header length"),
        ((4).to_bytes(8, "little") + b"nope", "not valid JSON"),
        (_header_only({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}), "outside the file"),
        (_header_only({"t": {"dtype": "F32", "shape": [4]}}), "described wrongly"),
        # The checks of evaluation's header reader, which the fingerprint shares: no lenient coercion.
        (
            _header_only({"t": {"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}}) + b"\0" * 4,
            "described wrongly",
        ),
        (_header_only({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}) + b"\0" * 4, "described wrongly"),
        # The fingerprint's own check: the bytes must match the shape it views them as.
        (_header_only({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}) + b"\0" * 8, "8 bytes for shape"),
    ],
)
def test_broken_files_are_refused_with_a_reason(tmp_path, content, problem):
    (tmp_path / "model.safetensors").write_bytes(content)
    with pytest.raises(FingerprintError, match=problem):
        list(fingerprint_file(tmp_path / "model.safetensors"))


def test_norms_and_constant_tensors_are_never_evidence(tmp_path):
    save_file(
        {
            "norm.weight": torch.ones(64),
            "zero.weight": torch.zeros(64, 64),
            "w": torch.randn(64, 64),
            "attn.bias": torch.tril(torch.ones(1, 1, 64, 64)),
        },
        str(tmp_path / "model.safetensors"),
    )
    prints = {t.name: t for t in fingerprint_file(tmp_path / "model.safetensors")}
    assert not any(prints[n].informative for n in ("norm.weight", "zero.weight", "attn.bias"))
    assert prints["w"].informative
    refs = [compare.Ref("ref", t) for t in prints.values() if t.name != "w"]
    # Identical norms, zero matrices and causal masks (as every fresh model has) accuse nobody.
    assert compare.compare(list(prints.values()), refs, threshold=0.5, derived_share=0.5).verdict == "original"
