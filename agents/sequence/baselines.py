"""Classical baselines shown beside the recurrent heads by scripts/classify.py, forecast.py and probe.py.

Majority class and 1-NN (Euclidean) for classification; naive, seasonal naive, direct linear AR (ridge) and
statsmodels' ARIMA (extra ``[baselines]``) for forecasting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.sequence.inputs import as_sequences
from envs.datasets import Sequences, require_extra


def ridge_direct(inputs: np.ndarray, targets: np.ndarray, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression of (N, H) targets on (N, L) inputs with an unpenalized intercept: weight (H, L), bias (H,)."""
    design = np.concatenate([inputs, np.ones((len(inputs), 1))], axis=1).astype(np.float64)
    L = inputs.shape[1]
    penalty = ridge * np.eye(L + 1)
    penalty[L, L] = 0.0
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ targets.astype(np.float64))  # (L+1, H)
    return solution[:L].T.astype(np.float32), solution[L].astype(np.float32)


def linear_forecast(history: np.ndarray, horizon: int, lookback: int = 24, ridge: float = 1.0) -> np.ndarray:
    """Direct linear AR forecast of a univariate series (what RecurrentForecaster's highway starts from).

    One ridge regression from every ``lookback`` window of the standardized history to the ``horizon`` steps after it.
    """
    history = np.asarray(history, np.float64)
    mean, std = history.mean(), history.std() or 1.0
    z = (history - mean) / std
    n = len(z) - lookback - horizon + 1
    if n < 1:
        raise ValueError(f"history of {len(z)} steps is too short for lookback + horizon = {lookback + horizon}")
    starts = np.arange(n)[:, None]
    weight, bias = ridge_direct(z[starts + np.arange(lookback)], z[starts + lookback + np.arange(horizon)], ridge)
    return (weight @ z[-lookback:] + bias) * std + mean


class MajorityClassifier:
    """Always predicts the most frequent training label: the floor every classifier must clear."""

    def fit(self, X: Sequences, y: Any) -> MajorityClassifier:
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        self.label_ = labels[np.argmax(counts)]
        return self

    def predict(self, X: Sequences) -> np.ndarray:
        return np.full(len(X), self.label_)

    def score(self, X: Sequences, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class NearestNeighborClassifier:
    """1-nearest-neighbour under Euclidean distance, the classic UCR baseline.

    Sequences of different lengths are first resampled (linear interpolation) to the longest training length.
    """

    def fit(self, X: Sequences, y: Any) -> NearestNeighborClassifier:
        array, lengths = as_sequences(X)
        self.length_ = int(lengths.max())
        self.X_, self.y_ = self._flatten(array, lengths), np.asarray(y)
        return self

    def _flatten(self, array: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        grid = np.linspace(0.0, 1.0, self.length_)
        rows = []
        for x, length in zip(array, lengths, strict=True):
            source = np.linspace(0.0, 1.0, length) if length > 1 else np.zeros(1)
            rows.append(np.stack([np.interp(grid, source, x[:length, f]) for f in range(x.shape[1])], axis=1))
        return np.stack(rows).reshape(len(rows), -1)  # (N, length * F)

    def predict(self, X: Sequences) -> np.ndarray:
        flat = self._flatten(*as_sequences(X))
        distances = (flat**2).sum(1)[:, None] - 2 * flat @ self.X_.T + (self.X_**2).sum(1)[None, :]
        return self.y_[np.argmin(distances, axis=1)]

    def score(self, X: Sequences, y: Any) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


def naive_forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """Repeat the last value."""
    history = np.asarray(history, np.float64)
    return np.repeat(history[-1:], horizon, axis=0)


def seasonal_naive_forecast(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Repeat the last season: y[t + h] = y[t + h - season * k]."""
    history = np.asarray(history, np.float64)
    if season < 1 or season > len(history):
        raise ValueError(f"season must be in [1, len(history) = {len(history)}], got {season}")
    last = history[len(history) - season :]
    return np.concatenate([last] * (horizon // season + 1))[:horizon]


def arima_forecast(
    history: np.ndarray,
    horizon: int,
    order: tuple[int, int, int] = (1, 1, 1),
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> np.ndarray:
    """A (seasonal) ARIMA from statsmodels, fitted by maximum likelihood (extra ``[baselines]``)."""
    arima = require_extra("statsmodels.tsa.arima.model", "baselines", "arima_forecast")
    fitted = arima.ARIMA(np.asarray(history, np.float64), order=order, seasonal_order=seasonal_order).fit()
    return np.asarray(fitted.forecast(horizon))
