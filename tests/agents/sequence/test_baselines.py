"""Classical baselines: forecasts against their definitions, majority class and 1-NN on hand-made sequences."""

import numpy as np
import pytest

from agents.sequence.baselines import (
    MajorityClassifier,
    NearestNeighborClassifier,
    arima_forecast,
    linear_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from tests.agents.sequence.tasks import seasonal_series


def test_forecast_baselines():
    series = seasonal_series(60)
    np.testing.assert_array_equal(naive_forecast(series, 3), np.full(3, series[-1]))
    np.testing.assert_array_equal(seasonal_naive_forecast(series, 15, 12), np.r_[series[-12:], series[-12:-9]])
    assert linear_forecast(series, 6, lookback=12).shape == (6,)
    with pytest.raises(ValueError, match="season must be in"):
        seasonal_naive_forecast(series, 3, 0)
    pytest.importorskip("statsmodels")
    assert arima_forecast(series, 4, order=(1, 0, 0)).shape == (4,)


def test_classification_baselines():
    X = [np.zeros(3), np.ones(5), np.ones(4) * 2, np.zeros(2)]
    y = np.array(["a", "b", "b", "a"])
    assert MajorityClassifier().fit(X, np.array(["a", "b", "b", "b"])).predict(X[:2]).tolist() == ["b", "b"]
    knn = NearestNeighborClassifier().fit(X, y)
    assert knn.predict([np.full(7, 0.1), np.full(2, 1.2)]).tolist() == ["a", "b"]
    assert knn.score(X, y) == 1.0
