"""Tiny tasks and fast settings shared by the estimator tests."""

import numpy as np

FAST = {"hidden_size": 16, "max_epochs": 40, "patience": 0, "batch_size": 16}


def sign_task(n=96, T=8, seed=0):
    """Label: the sign of the sum of the first channel over all steps, which the network must accumulate."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, 2)).astype(np.float32)
    return X, np.where(X[:, :, 0].sum(1) > 0, "pos", "neg")


def seasonal_series(n=120, seed=0):
    """A noisy sine of period 12 on a linear trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 12) + 0.05 * t + 0.1 * rng.standard_normal(n)
