"""Forecast errors and R² against hand-computed values."""

import math

import numpy as np
import pytest

from agents.sequence.metrics import forecast_metrics, r2_score


def test_forecast_metrics_against_hand_values():
    y_train = np.array([1.0, 2.0, 4.0, 3.0])  # naive (season 1) errors 1, 2, 1: mean 4/3
    y_true, y_pred = np.array([2.0, 4.0]), np.array([3.0, 2.0])
    metrics = forecast_metrics(y_true, y_pred, y_train)
    assert metrics["mae"] == pytest.approx(1.5)
    assert metrics["rmse"] == pytest.approx(math.sqrt(2.5))
    assert metrics["mape"] == pytest.approx(50.0)  # (1/2 + 2/4) / 2
    assert metrics["smape"] == pytest.approx(100 * (2 / 5 + 4 / 6) / 2)
    assert metrics["mase"] == pytest.approx(1.5 / (4 / 3))
    assert math.isnan(forecast_metrics(y_true, y_pred)["mase"])
    with pytest.raises(ValueError, match="same shape"):
        forecast_metrics(y_true, y_pred[:1])


def test_r2_score():
    y = np.array([1.0, 2.0, 3.0])
    assert r2_score(y, y) == 1.0
    assert r2_score(y, np.full(3, 2.0)) == 0.0
