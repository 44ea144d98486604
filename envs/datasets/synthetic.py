"""Generated sequence tasks that need memory: the adding problem, parity, noisy sines (seeded, any size)."""

from __future__ import annotations

import numpy as np

from envs.datasets.base import SequenceData, SeriesData


def adding_problem(n_train: int = 10_000, n_test: int = 1_000, T: int = 100, seed: int = 0) -> SequenceData:
    """Hochreiter & Schmidhuber's adding problem: sum the two values marked among T uniform ones (regression).

    Each step is (value ~ U(0, 1), marker); one marker falls in each half. Predicting the mean, 1, scores MSE 1/6.
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    X = np.zeros((n, T, 2), dtype=np.float32)
    X[:, :, 0] = rng.uniform(0, 1, (n, T))
    first, second = rng.integers(0, T // 2, n), rng.integers(T // 2, T, n)
    rows = np.arange(n)
    X[rows, first, 1] = X[rows, second, 1] = 1.0
    y = (X[rows, first, 0] + X[rows, second, 0]).astype(np.float32)
    return SequenceData(f"adding_T{T}", X[:n_train], y[:n_train], X[n_train:], y[n_train:], "regression")


def parity(n_train: int = 2_000, n_test: int = 500, T: int = 20, seed: int = 0) -> SequenceData:
    """Parity of a bit stream of variable length in [T // 2, T]: one wrong bit anywhere flips the label."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(max(T // 2, 1), T + 1, n_train + n_test)
    X = [rng.integers(0, 2, (length, 1)).astype(np.float32) for length in lengths]
    y = np.array([int(x.sum()) % 2 for x in X])
    return SequenceData(f"parity_T{T}", X[:n_train], y[:n_train], X[n_train:], y[n_train:])


def noisy_sines(length: int = 600, horizon: int = 24, noise: float = 0.1, seed: int = 0) -> SeriesData:
    """Sines with periods 12 and 31, a slow drift and Gaussian noise; the last ``horizon`` steps are held out."""
    rng = np.random.default_rng(seed)
    t = np.arange(length + horizon, dtype=np.float64)
    phases = rng.uniform(0, 2 * np.pi, 3)
    y = np.sin(2 * np.pi * t / 12 + phases[0]) + 0.6 * np.sin(2 * np.pi * t / 31 + phases[1])
    y += 0.3 * np.sin(2 * np.pi * t / 200 + phases[2]) + noise * rng.standard_normal(t.size)
    return SeriesData("sines", y[:length], y[length:], season=12)
