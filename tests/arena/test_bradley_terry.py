"""The fit, with fixed seeds: known strengths are recovered, intervals cover about 95% of the time,
ties and the bootstrap behave."""

import numpy as np
import pytest

from arena import bradley_terry as bt

TRUTH = np.array([0.8, 0.4, 0.0, -0.3, -0.9])
TIE = np.log(0.5)


def simulate(rng, n: int, theta=TRUTH, log_nu=TIE):
    """n judgments over random pairs, outcomes drawn from Davidson's model."""
    k = len(theta)
    first = rng.integers(0, k, n)
    second = (first + rng.integers(1, k, n)) % k
    p = bt.outcome_probabilities(theta, log_nu)[first, second]
    u = rng.random(n)
    outcome = np.where(u < p[:, 0], bt.WIN, np.where(u < p[:, 0] + p[:, 1], bt.LOSS, bt.TIE))
    return bt.count_table(first, second, outcome, k)


def test_recovers_known_strengths():
    counts = simulate(np.random.default_rng(20251230), 40_000)
    theta, log_nu = bt.fit(counts, 5)
    assert np.allclose(theta, TRUTH - TRUTH.mean(), atol=0.05)
    assert np.exp(log_nu) == pytest.approx(0.5, abs=0.03)
    assert theta.sum() == pytest.approx(0.0, abs=1e-9)


def test_intervals_cover_the_truth_at_about_the_stated_rate():
    rng = np.random.default_rng(7)
    truth = TRUTH - TRUTH.mean()
    covered = total = 0
    for replicate in range(120):
        counts = simulate(rng, 1500)
        result = bt.analyse(counts, 5, rounds=300, seed=replicate)
        for value, (low, high) in zip(truth, result["strength_interval"]):
            covered += low <= value <= high
            total += 1
    assert 0.90 <= covered / total <= 0.99, covered / total


def test_count_table_is_symmetric_in_the_order_shown():
    # (0 vs 1, 0 wins) and (1 vs 0, 1 loses) are the same fact; ties land in the tie column.
    counts = bt.count_table([0, 1, 1, 2], [1, 0, 0, 0], [bt.WIN, bt.LOSS, bt.TIE, bt.WIN], 3)
    assert counts.tolist() == [[2, 0, 1], [0, 1, 0], [0, 0, 0]]


def test_a_team_that_won_everything_stays_finite_and_first():
    counts = bt.count_table([0] * 30 + [1] * 30, [1] * 30 + [2] * 30, [bt.WIN] * 60, 3)
    theta, log_nu = bt.fit(counts, 3)
    assert np.isfinite(theta).all() and np.isfinite(log_nu)
    assert theta[0] > theta[1] > theta[2]


def test_equal_teams_have_expected_score_one_half():
    counts = np.array([[10, 10, 5], [10, 10, 5], [10, 10, 5]])
    result = bt.analyse(counts, 3, rounds=100, seed=1)
    assert np.allclose(result["expected_score"], 0.5, atol=1e-9)
    assert result["win_rate"][0][1] == pytest.approx(0.5)


def test_bootstrap_is_reproducible_and_resamples_the_judgments():
    counts = simulate(np.random.default_rng(3), 2000)
    one = bt.analyse(counts, 5, rounds=200, seed=11)
    two = bt.analyse(counts, 5, rounds=200, seed=11)
    assert one["strength_interval"] == two["strength_interval"]
    draws = bt.bootstrap_counts(counts, 50, np.random.default_rng(0))
    assert (draws.reshape(50, -1).sum(axis=1) == counts.sum()).all()


def test_batched_fit_equals_one_by_one():
    rng = np.random.default_rng(5)
    tables = np.stack([simulate(rng, 500) for _ in range(4)])
    theta, log_nu = bt.fit(tables, 5)
    for i in range(4):
        single, single_nu = bt.fit(tables[i], 5)
        assert np.allclose(theta[i], single, atol=1e-8) and single_nu == pytest.approx(log_nu[i], abs=1e-8)
