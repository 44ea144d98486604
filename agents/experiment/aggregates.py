"""Aggregate benchmark scores as rliable computes them: interquartile mean, optimality gap and performance profiles,
each with a stratified-bootstrap confidence interval (Agarwal et al., "Deep RL at the Edge of the Statistical
Precipice", NeurIPS 2021).

The metrics follow ``rliable.metrics`` (IQM = 25%-trimmed mean over all runs and tasks; optimality gap = how far
the mean score falls short of 1, scores above 1 counting as 1; mean; median) and the intervals follow
``rliable.library.get_interval_estimates``: runs are resampled with replacement within each task (stratified
bootstrap) and the 2.5th and 97.5th percentiles of the metric are taken. They are computed here with NumPy and
SciPy because rliable 1.2 requires ``arch < 8``, whose releases do not import under pandas 3.

A score matrix is ``(runs, tasks)``: one row per seed, one column per task, each entry a run's final return divided
by the task's optimal return (1 = optimal).

Example:
    >>> scores = np.array([[0.5, 1.0], [1.0, 1.0], [0.4, 0.8]])
    >>> round(float(iqm(scores)), 3), round(float(optimality_gap(scores)), 3)
    (0.825, 0.217)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from scipy import stats

Metric = Callable[[np.ndarray], Any]  # (..., runs, tasks) -> (...)
CONFIDENCE = 0.95
REPS = 2000


def iqm(scores: np.ndarray) -> Any:
    """Interquartile mean: the mean of the middle 50% of all run scores (``rliable.metrics.aggregate_iqm``).

    Like every metric here it takes one (runs, tasks) matrix, or a stack of them (..., runs, tasks) at once.
    """
    flat = scores.reshape(*scores.shape[:-2], -1)
    return stats.trim_mean(flat, proportiontocut=0.25, axis=-1)


def optimality_gap(scores: np.ndarray, gamma: float = 1.0) -> Any:
    """``gamma`` minus the mean score, each score capped at ``gamma`` (``rliable.metrics.aggregate_optimality_gap``)."""
    return gamma - np.mean(np.minimum(scores, gamma), axis=(-2, -1))


def mean_score(scores: np.ndarray) -> Any:
    """Mean over tasks of the mean over runs (``rliable.metrics.aggregate_mean``)."""
    return np.mean(np.mean(scores, axis=-2), axis=-1)


def median_score(scores: np.ndarray) -> Any:
    """Median over tasks of the mean over runs (``rliable.metrics.aggregate_median``)."""
    return np.median(np.mean(scores, axis=-2), axis=-1)


METRICS: dict[str, Metric] = {"IQM": iqm, "optimality gap": optimality_gap, "mean": mean_score, "median": median_score}


def stratified_resamples(scores: np.ndarray, reps: int = REPS, seed: int = 0) -> np.ndarray:
    """``reps`` bootstrap copies of a (runs, tasks) matrix, runs drawn with replacement within each task.

    Returns (reps, runs, tasks).
    """
    runs, tasks = scores.shape
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, runs, size=(reps, runs, tasks))  # (R, N, M)
    return scores[rows, np.arange(tasks)]


def interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Percentile interval of bootstrap values."""
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


class Estimate(NamedTuple):
    """A metric's point estimate and its stratified-bootstrap confidence interval."""

    value: float
    low: float
    high: float


def estimate(scores: np.ndarray, metric: Metric, reps: int = REPS, seed: int = 0) -> Estimate:
    """``metric`` of a (runs, tasks) matrix with its 95% stratified-bootstrap interval."""
    values = metric(stratified_resamples(scores, reps, seed))  # (R, N, M) -> (R,)
    return Estimate(float(metric(scores)), *interval(values))


def performance_profile(
    scores: np.ndarray, taus: np.ndarray, reps: int = REPS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of runs whose score exceeds each ``tau`` (rliable's run-score distribution), and its interval.

    Returns (T,) fractions and (2, T) lower and upper bounds.
    """
    fractions = np.mean(scores[..., None] > taus, axis=(0, 1))  # (N, M, T) -> (T,)
    samples = stratified_resamples(scores, reps, seed)
    boot = np.mean(samples[..., None] > taus, axis=(1, 2))  # (R, N, M, T) -> (R, T)
    tail = 100 * (1 - CONFIDENCE) / 2
    return fractions, np.percentile(boot, [tail, 100 - tail], axis=0)


def aggregate_table(scores_by_agent: dict[str, np.ndarray], reps: int = REPS) -> str:
    """Markdown table of every metric, "value [low, high]", one row per agent."""
    lines = ["| agent | runs x tasks | " + " | ".join(METRICS) + " |", "|" + " --- |" * (len(METRICS) + 2)]
    for agent, scores in scores_by_agent.items():
        cells = [estimate(scores, metric, reps) for metric in METRICS.values()]
        text = " | ".join(f"{e.value:.2f} [{e.low:.2f}, {e.high:.2f}]" for e in cells)
        lines.append(f"| {agent} | {scores.shape[0]} x {scores.shape[1]} | {text} |")
    return "\n".join(lines) + "\n"


def plot_aggregates(scores_by_agent: dict[str, np.ndarray], path: str, reps: int = REPS) -> None:
    """IQM and optimality gap with their intervals, and the performance profiles, side by side; legends on all."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (ax_iqm, ax_gap, ax_profile) = plt.subplots(1, 3, figsize=(15, 4.8))
    taus = np.linspace(0.0, 1.05, 43)
    agents = list(scores_by_agent)
    colours = {agent: f"C{i}" for i, agent in enumerate(agents)}
    for row, agent in enumerate(agents):
        scores = scores_by_agent[agent]
        for ax, metric in ((ax_iqm, iqm), (ax_gap, optimality_gap)):
            e = estimate(scores, metric, reps)
            ax.errorbar(e.value, row, xerr=[[e.value - e.low], [e.high - e.value]], fmt="o", capsize=4,
                        color=colours[agent], label=agent)  # fmt: skip
        fractions, bounds = performance_profile(scores, taus, reps)
        ax_profile.plot(taus, fractions, color=colours[agent], label=agent)
        ax_profile.fill_between(taus, bounds[0], bounds[1], color=colours[agent], alpha=0.2)
    for ax, title in ((ax_iqm, "IQM (higher is better)"), (ax_gap, "optimality gap (lower is better)")):
        ax.set_yticks(range(len(agents)), agents)
        ax.set_xlabel("normalized score (95% stratified-bootstrap CI)")
        ax.set_title(title)
        ax.grid(alpha=0.3, axis="x")
    ax_profile.set_xlabel("normalized score τ")
    ax_profile.set_ylabel("fraction of runs with score > τ")
    ax_profile.set_title("performance profile")
    ax_profile.grid(alpha=0.3)
    for ax in (ax_iqm, ax_gap, ax_profile):  # below each panel, where it hides no point
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
