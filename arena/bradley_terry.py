"""Bradley–Terry strengths from pairwise judgments, with ties (pure: numpy only, no database).

Model: Davidson's (1970) extension of Bradley–Terry. Team i has strength π_i = exp(θ_i) and ties
have one parameter ν = exp(λ):

    P(i beats j) = π_i / D,   P(j beats i) = π_j / D,   P(tie) = ν·√(π_i π_j) / D,
    D = π_i + π_j + ν·√(π_i π_j).

"Both bad" counts as a tie (the two answers were judged equally good — here equally poor), as
public arenas do; the result keeps the both-bad rate separately. Each outcome's log-numerator is
linear in x = (θ_1 … θ_k, λ), so the fit is a three-outcome multinomial logit: Newton's method on
the log-likelihood plus a weak Gaussian prior (variance PRIOR_VARIANCE on every parameter), which
fixes the scale's origin at Σθ = 0 (the likelihood cannot see a common shift), keeps a team that
won everything finite, and keeps ν finite when nobody tied. With thousands of judgments the prior
moves an estimate by far less than its interval.

Everything works on counts, never on rows: judgments are aggregated into a (pair, outcome) table
of shape (P, 3) for the P = k(k−1)/2 pairs i < j, outcomes (i wins, j wins, tie). A bootstrap
round over judgments (resampling the N judgments with replacement) is exactly a multinomial draw
of N over those cells with probabilities count/N, and the B rounds are fitted together as one
batched Newton iteration.
"""

from __future__ import annotations

import numpy as np

PRIOR_VARIANCE = 100.0
MAX_ITERATIONS = 50
TOLERANCE = 1e-10
MAX_STEP = 3.0  # a Newton step is clipped to this (in log-strength) while far from the optimum

WIN, LOSS, TIE = 0, 1, 2  # the outcome of a judgment for its (lower index, higher index) pair


def pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The (i, j) index arrays of the pairs i < j, in the order the count tables use."""
    first, second = np.triu_indices(k, 1)
    return first, second


def pair_number(k: int) -> np.ndarray:
    """number[i, j] = the pair row of {i, j} (−1 on the diagonal)."""
    number = np.full((k, k), -1, dtype=np.int64)
    first, second = pairs(k)
    number[first, second] = np.arange(len(first))
    number[second, first] = np.arange(len(first))
    return number


def count_table(first: np.ndarray, second: np.ndarray, outcome: np.ndarray, k: int) -> np.ndarray:
    """(P, 3) counts from judgments given as team indices `first`, `second` and `outcome`
    (WIN: first preferred, LOSS: second preferred, TIE: tie or both bad)."""
    first, second, outcome = (np.asarray(a, dtype=np.int64) for a in (first, second, outcome))
    swapped = first > second
    flipped = np.where(swapped & (outcome == WIN), LOSS, np.where(swapped & (outcome == LOSS), WIN, outcome))
    rows = pair_number(k)[first, second]
    table = np.zeros(len(pairs(k)[0]) * 3, dtype=np.int64)
    np.add.at(table, rows * 3 + flipped, 1)
    return table.reshape(-1, 3)


def design(k: int) -> np.ndarray:
    """A[p, outcome, parameter]: each outcome's log-numerator as a linear function of x."""
    first, second = pairs(k)
    a = np.zeros((len(first), 3, k + 1))
    rows = np.arange(len(first))
    a[rows, WIN, first] = 1.0
    a[rows, LOSS, second] = 1.0
    a[rows, TIE, first] = 0.5
    a[rows, TIE, second] = 0.5
    a[rows, TIE, k] = 1.0
    return a


def fit(counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Maximum a posteriori (θ, λ) for one count table (P, 3) or a batch (B, P, 3).
    Returns θ of shape (B, k) (or (k,)) with Σθ = 0, and λ = log ν of shape (B,) (or scalar)."""
    single = counts.ndim == 2
    c = np.asarray(counts, dtype=float)[None] if single else np.asarray(counts, dtype=float)
    a = design(k)
    batch, dims = c.shape[0], k + 1
    x = np.zeros((batch, dims))
    n = c.sum(axis=2)  # (B, P)
    observed = np.einsum("bpo,pod->bd", c, a)
    ridge = np.eye(dims) / PRIOR_VARIANCE
    active = np.ones(batch, dtype=bool)
    for _ in range(MAX_ITERATIONS):
        xa = x[active]
        logits = np.einsum("pod,bd->bpo", a, xa)
        logits -= logits.max(axis=2, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=2, keepdims=True)
        mean = np.einsum("bpo,pod->bpd", p, a)  # E[a] per pair
        na = n[active]
        gradient = observed[active] - np.einsum("bp,bpd->bd", na, mean) - xa / PRIOR_VARIANCE
        second_moment = np.einsum("bpo,pod,poe->bpde", p, a, a) - np.einsum("bpd,bpe->bpde", mean, mean)
        information = np.einsum("bp,bpde->bde", na, second_moment) + ridge
        step = np.linalg.solve(information, gradient[..., None])[..., 0]
        largest = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, MAX_STEP / np.maximum(largest, 1e-300))
        x[active] = xa + step
        still = largest[:, 0] > TOLERANCE
        if not still.any():
            break
        indices = np.flatnonzero(active)
        active[indices[~still]] = False
    theta = x[:, :k] - x[:, :k].mean(axis=1, keepdims=True)
    return (theta[0], x[0, k]) if single else (theta, x[:, k])


def outcome_probabilities(theta: np.ndarray, log_nu) -> np.ndarray:
    """P[..., i, j, outcome] for every ordered pair (i beats j, j beats i, tie); diagonal NaN."""
    theta = np.asarray(theta, dtype=float)
    ti, tj = theta[..., :, None], theta[..., None, :]
    tie = np.asarray(log_nu, dtype=float)[..., None, None] + (ti + tj) / 2
    stacked = np.stack(np.broadcast_arrays(ti, tj, tie), axis=-1)
    stacked = stacked - stacked.max(axis=-1, keepdims=True)
    p = np.exp(stacked)
    p /= p.sum(axis=-1, keepdims=True)
    k = theta.shape[-1]
    p[..., np.arange(k), np.arange(k), :] = np.nan
    return p


def expected_scores(theta: np.ndarray, log_nu) -> np.ndarray:
    """Each team's expected score against the others under the model, averaged over opponents:
    P(win) + ½·P(tie), in [0, 1]; 0.5 when all teams are equal."""
    p = outcome_probabilities(theta, log_nu)
    score = p[..., WIN] + 0.5 * p[..., TIE]
    return np.nanmean(score, axis=-1)


def win_rates(counts: np.ndarray, k: int) -> list[list[float | None]]:
    """Observed rate[i][j] = (i's wins + ½ ties) ÷ judgments of the pair; None where unjudged."""
    rate: list[list[float | None]] = [[None] * k for _ in range(k)]
    for row, (i, j) in enumerate(zip(*pairs(k))):
        wins, losses, ties = (int(v) for v in counts[row])
        total = wins + losses + ties
        if total:
            rate[i][j] = (wins + 0.5 * ties) / total
            rate[j][i] = (losses + 0.5 * ties) / total
    return rate


def bootstrap_counts(counts: np.ndarray, rounds: int, rng: np.random.Generator) -> np.ndarray:
    """`rounds` resamplings of the judgments with replacement, as (rounds, P, 3) count tables."""
    flat = np.asarray(counts, dtype=np.int64).ravel()
    total = int(flat.sum())
    if total == 0:
        return np.zeros((rounds, *counts.shape), dtype=np.int64)
    draws = rng.multinomial(total, flat / total, size=rounds)
    return draws.reshape(rounds, *counts.shape)


def _interval(values: np.ndarray, level: float) -> list[list[float]]:
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail], axis=0)
    return [[float(lo), float(hi)] for lo, hi in zip(low, high)]


def analyse(counts: np.ndarray, k: int, *, rounds: int, seed: int, level: float = 0.95) -> dict:
    """Strengths, expected scores, the tie parameter and observed win rates of one count table,
    with percentile bootstrap intervals (`rounds` rounds, generator seeded with `seed`)."""
    counts = np.asarray(counts, dtype=np.int64)
    theta, log_nu = fit(counts, k)
    expected = expected_scores(theta, log_nu)
    result = {
        "judgments": int(counts.sum()),
        "ties": int(counts[:, TIE].sum()),
        "strength": [float(v) for v in theta],
        "tie_parameter": float(np.exp(log_nu)),
        "expected_score": [float(v) for v in expected],
        "win_rate": win_rates(counts, k),
        "bootstrap": {"rounds": rounds, "seed": seed, "level": level},
    }
    if rounds > 0 and counts.sum() > 0:
        draws = bootstrap_counts(counts, rounds, np.random.default_rng(seed))
        thetas, log_nus = fit(draws, k)
        result["strength_interval"] = _interval(thetas, level)
        result["expected_score_interval"] = _interval(expected_scores(thetas, log_nus), level)
        result["expected_score_draws"] = expected_scores(thetas, log_nus)  # for the mapping; not stored
    else:
        result["strength_interval"] = [[float(v), float(v)] for v in theta]
        result["expected_score_interval"] = [[float(v), float(v)] for v in expected]
        result["expected_score_draws"] = expected[None, :]
    return result
