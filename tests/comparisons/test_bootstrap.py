"""The paired bootstrap (pure): pairs stay together, the interval is seeded, memory stays flat."""

import numpy as np

from comparisons.bootstrap import paired_difference, paired_items


def test_pairs_stay_together_so_shared_difficulty_cancels():
    """B is A plus 0.1 on every item, with wildly varying item difficulty: every resample of pairs
    has the same mean difference, so the interval is exactly [0.1, 0.1]. Resampling the two lists
    apart (unpaired) would give a wide interval around 0.1."""
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, 200)
    result = paired_difference(a, a + 0.1, samples=500, seed=1)
    assert result.n == 200
    assert abs(result.mean - 0.1) < 1e-12 and abs(result.low - 0.1) < 1e-12 and abs(result.high - 0.1) < 1e-12


def test_the_interval_is_seeded_and_covers_the_mean():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 2, 400).astype(float), rng.integers(0, 2, 400).astype(float)
    first = paired_difference(a, b, samples=2000, seed=[7, 1])
    assert first == paired_difference(a, b, samples=2000, seed=[7, 1])
    assert first != paired_difference(a, b, samples=2000, seed=[7, 2])
    assert first.low < first.mean < first.high
    # The normal-theory half-width of a mean of 400 paired differences, within 15%.
    expected = 1.96 * np.std(b - a, ddof=1) / np.sqrt(400)
    assert abs((first.high - first.low) / 2 - expected) / expected < 0.15


def test_large_tasks_are_resampled_in_chunks_with_the_same_answer(monkeypatch):
    from comparisons import bootstrap

    rng = np.random.default_rng(5)
    a, b = rng.uniform(size=3000), rng.uniform(size=3000)
    whole = paired_difference(a, b, samples=300, seed=9)
    monkeypatch.setattr(bootstrap, "_CHUNK_CELLS", 3000 * 7)  # 7 resamples at a time
    chunked = paired_difference(a, b, samples=300, seed=9)
    assert whole == chunked


def test_too_few_items_give_no_interval():
    assert paired_difference([], [], samples=10, seed=1).mean is None
    one = paired_difference([0.0], [1.0], samples=10, seed=1)
    assert (one.n, one.mean, one.low, one.high) == (1, 1.0, None, None)


def test_only_items_both_answered_are_paired():
    a, b = paired_items({1: 0.0, 2: 1.0, 3: 1.0}, {2: 0.0, 3: 1.0, 4: 1.0})
    assert a.tolist() == [1.0, 1.0] and b.tolist() == [0.0, 1.0]
