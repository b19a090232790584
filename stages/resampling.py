"""A task's bootstrap: the means of its items resampled with replacement, at programme size
(120,000 items × 1,000 resamples per team) in bounded memory.

Version 2 (stages finalised from now on) and version 1 (stages finalised before; their stored
inputs carry no version) draw different random streams, so a finalised stage re-computes with
the version its inputs name and its stored outcome stays reproducible."""

import numpy as np

BOOTSTRAP_ALGORITHM = 2
# Items with at most this many distinct values (0/1 accuracy, exact match) are resampled as
# counts: drawing n items with replacement is drawing how many of each value, a multinomial.
COUNTS_MAX_DISTINCT = 256
# Otherwise the resample indices are drawn in chunks of about this many cells (64 MB of int64).
CHUNK_CELLS = 8_000_000


def resampled_means(rng: np.random.Generator, items, samples: int, *, algorithm: int) -> np.ndarray:
    values = np.asarray(items, dtype=float)
    if algorithm == 1:  # the whole index matrix at once: samples × items (stages finalised before v2)
        return values[rng.integers(0, len(values), size=(samples, len(values)))].mean(axis=1)
    n = len(values)
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= COUNTS_MAX_DISTINCT:
        draws = rng.multinomial(n, counts / n, size=samples)  # samples × distinct values
        return draws @ distinct / n
    means = np.empty(samples)
    rows = max(1, CHUNK_CELLS // n)
    for start in range(0, samples, rows):
        stop = min(samples, start + rows)
        means[start:stop] = np.take(values, rng.integers(0, n, size=(stop - start, n))).mean(axis=1)
    return means
