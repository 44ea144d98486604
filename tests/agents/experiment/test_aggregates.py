"""Aggregate scores: rliable's metric definitions against hand-computed values, and the stratified bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from agents.experiment.aggregates import (
    aggregate_table,
    estimate,
    iqm,
    mean_score,
    median_score,
    optimality_gap,
    performance_profile,
    plot_aggregates,
    stratified_resamples,
)

# (runs, tasks): 4 seeds on 2 tasks.
SCORES = np.array([[0.1, 1.0], [0.5, 0.9], [0.6, 1.2], [0.2, 0.3]])


def test_metrics_match_their_definitions():
    # 8 scores sorted: 0.1 0.2 0.3 0.5 | 0.6 0.9 1.0 1.2; the IQM drops the lowest and the highest two.
    assert iqm(SCORES) == pytest.approx(np.mean([0.3, 0.5, 0.6, 0.9]))
    assert optimality_gap(SCORES) == pytest.approx(1 - np.mean([0.1, 0.5, 0.6, 0.2, 1.0, 0.9, 1.0, 0.3]))
    assert mean_score(SCORES) == pytest.approx(np.mean([0.35, 0.85]))
    assert median_score(np.array([[0.0, 1.0, 0.5]])) == 0.5


def test_resamples_stay_within_their_task():
    samples = stratified_resamples(SCORES, reps=500)
    assert samples.shape == (500, 4, 2)
    for task in range(2):
        assert set(np.unique(samples[:, :, task])) <= set(SCORES[:, task])
    assert len(np.unique(samples[:, :, 0])) == 4  # every run of the task gets drawn


def test_intervals_contain_the_estimate_and_collapse_without_spread():
    value, low, high = estimate(SCORES, iqm, reps=500)
    assert low <= value <= high
    assert low < high
    assert estimate(np.full((3, 2), 0.7), iqm, reps=100) == pytest.approx((0.7, 0.7, 0.7))


def test_performance_profile_counts_runs_above_each_tau():
    fractions, bounds = performance_profile(SCORES, np.array([0.0, 0.55, 1.1]), reps=200)
    np.testing.assert_allclose(fractions, [1.0, 4 / 8, 1 / 8])
    assert bounds.shape == (2, 3)
    assert np.all(bounds[0] <= fractions + 1e-12)
    assert np.all(fractions <= bounds[1] + 1e-12)


def test_table_and_plot(tmp_path):
    table = aggregate_table({"ppo_gru": SCORES, "ppo_mlp": SCORES / 2}, reps=100)
    assert table.splitlines()[0] == "| agent | runs x tasks | IQM | optimality gap | mean | median |"
    assert table.splitlines()[2].startswith(f"| ppo_gru | 4 x 2 | {iqm(SCORES):.2f} [")
    plot_aggregates({"ppo_gru": SCORES}, str(tmp_path / "aggregates.png"), reps=50)
    assert (tmp_path / "aggregates.png").stat().st_size > 0
