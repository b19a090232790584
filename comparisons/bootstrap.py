"""The paired bootstrap of a difference between two checkpoints on one task (pure: numpy, no database).

Both checkpoints answered the same items; resampling items (not the two score lists apart) keeps
each item's pair together, so what the items have in common — their difficulty — cancels out and
the interval is about the checkpoints. Seeded: the same inputs give the same interval."""

from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
_CHUNK_CELLS = 2_000_000  # resampled item indices held at once (16 MB): memory stays flat for large tasks


@dataclass(frozen=True)
class PairedDifference:
    n: int  # items both answered
    mean: float | None  # mean of (b − a) over those items
    low: float | None  # the interval's ends (None with fewer than two items)
    high: float | None


def paired_difference(a, b, *, samples: int, seed, level: float = LEVEL) -> PairedDifference:
    """Mean of b − a over paired items, with the percentile bootstrap interval of that mean."""
    diff = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = diff.size
    if n == 0:
        return PairedDifference(0, None, None, None)
    mean = float(diff.mean())
    if n < 2:
        return PairedDifference(n, mean, None, None)
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_CELLS // n)
    means = np.empty(samples, dtype=np.float64)
    for start in range(0, samples, rows):
        stop = min(samples, start + rows)
        means[start:stop] = diff[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return PairedDifference(n, mean, float(low), float(high))


def paired_items(a: dict, b: dict) -> tuple[np.ndarray, np.ndarray]:
    """The scores of the items both have ({doc_id: score} each), in one order."""
    shared = sorted(set(a) & set(b), key=repr)
    return (
        np.fromiter((a[k] for k in shared), dtype=np.float64, count=len(shared)),
        np.fromiter((b[k] for k in shared), dtype=np.float64, count=len(shared)),
    )
