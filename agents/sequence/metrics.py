"""Scores the estimators and scripts report: forecast errors (MAE, RMSE, MAPE, sMAPE, MASE) and R²."""

from __future__ import annotations

import math

import numpy as np


def forecast_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, y_train: np.ndarray | None = None, season: int = 1
) -> dict[str, float]:
    """MAE, RMSE, MAPE (%), sMAPE (%) and, given the training series, MASE (scaled by its in-sample seasonal naive).

    Arrays are (H,) or (H, F); MASE is undefined (nan) without ``y_train`` or when the naive error is zero.
    """
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}")
    error = y_pred - y_true
    mae = float(np.mean(np.abs(error)))
    with np.errstate(divide="ignore", invalid="ignore"):
        mape = float(np.mean(np.abs(error / y_true))) * 100
        smape = float(np.mean(2 * np.abs(error) / (np.abs(y_true) + np.abs(y_pred)))) * 100
        mase = math.nan
        if y_train is not None and len(y_train) > season:
            y_train = np.asarray(y_train, np.float64)
            naive = float(np.mean(np.abs(y_train[season:] - y_train[:-season])))
            mase = mae / naive if naive > 0 else math.nan
    return {"mae": mae, "rmse": float(np.sqrt(np.mean(error**2))), "mape": mape, "smape": smape, "mase": mase}


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, averaged over output columns (1: perfect, 0: as good as the mean)."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    y_true, y_pred = y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)
    residual = ((y_true - y_pred) ** 2).sum(0)
    total = ((y_true - y_true.mean(0)) ** 2).sum(0)
    return float(np.mean(1 - residual / np.maximum(total, 1e-12)))
