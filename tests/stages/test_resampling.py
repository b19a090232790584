"""The bootstrap at programme size: version 2 resamples a task's items as counts (few distinct
values) or in chunks, and agrees in distribution with resampling item by item; stages finalised
before it keep re-computing to their stored outcome with version 1."""

import json
from pathlib import Path

import numpy as np
import pytest

from stages import resampling
from stages.resampling import resampled_means
from stages.scoring import compute_outcome

from .test_scoring import _bootstrap_inputs


def reference_means(items, samples: int, seed: int) -> np.ndarray:
    """The bootstrap as written in a textbook: draw n items with replacement, take the mean."""
    rng = np.random.default_rng(seed)
    values = np.asarray(items, dtype=float)
    return np.array([values[rng.integers(0, len(values), size=len(values))].mean() for _ in range(samples)])


def _same_distribution(got: np.ndarray, want: np.ndarray) -> None:
    assert got.mean() == pytest.approx(want.mean(), abs=4 * want.std() / np.sqrt(len(want)))
    assert got.std() == pytest.approx(want.std(), rel=0.1)
    for q in (5, 50, 95):
        assert np.percentile(got, q) == pytest.approx(np.percentile(want, q), abs=0.35 * want.std())


def test_counts_path_matches_item_resampling_in_distribution():
    items = [1.0] * 700 + [0.0] * 300
    got = resampled_means(np.random.default_rng(1), items, 3000, algorithm=2)
    _same_distribution(got, reference_means(items, 3000, seed=2))
    assert got.std() == pytest.approx(np.sqrt(0.7 * 0.3 / 1000), rel=0.1)  # the binomial's


def test_chunked_path_matches_item_resampling_in_distribution(monkeypatch):
    monkeypatch.setattr(resampling, "CHUNK_CELLS", 5000)  # many chunks of a few resamples each
    items = np.random.default_rng(3).gamma(2.0, 0.2, size=1200).round(6).tolist()  # no few distinct values
    got = resampled_means(np.random.default_rng(4), items, 2000, algorithm=2)
    _same_distribution(got, reference_means(items, 2000, seed=5))


def test_version_2_is_seeded_and_kept_with_the_outcome():
    inputs = _bootstrap_inputs(11)
    inputs["stage"]["bootstrap_algorithm"] = 2
    first, again = compute_outcome(inputs), compute_outcome(json.loads(json.dumps(inputs)))
    assert first == again and first["bootstrap"]["algorithm"] == 2
    assert 0 < first["rows"][1]["probability_advancing"] < 1


def test_a_stage_finalised_before_version_2_still_recomputes_its_stored_outcome():
    # Inputs and outcome written by the bootstrap as it was before version 2 (item indices drawn
    # as one samples × items matrix), kept as a finalised StageResult keeps them.
    stored = json.loads((Path(__file__).parent / "finalised_before_v2.json").read_text())
    assert "bootstrap_algorithm" not in stored["inputs"]["stage"]
    assert compute_outcome(stored["inputs"]) == stored["outcome"]
    upgraded = {**stored["inputs"], "stage": {**stored["inputs"]["stage"], "bootstrap_algorithm": 2}}
    assert compute_outcome(upgraded)["rows"] != stored["outcome"]["rows"]  # the stream did change
