"""The forecast table: settings checked first, then every cell and seed beside the classical baselines."""

from __future__ import annotations

import pytest

from agents.experiment.forecast import ForecastConfig, baselines, check_config, forecast_table
from envs.datasets import noisy_sines


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"estimator": {"lookbak": 8}}, r"Unknown key 'lookbak' .*\(did you mean lookback"),
        ({"estimator": {"horizon": 3}}, "--set horizon: the script sets it"),
        ({"data": {"lenght": 100}}, r"Unknown key 'lenght' in the arguments of sines"),
    ],
)
def test_bad_settings_are_refused_before_training(settings, message):
    with pytest.raises(ValueError, match=message):
        check_config(ForecastConfig(dataset="sines", **settings))


def test_table_with_baselines():
    config = ForecastConfig(dataset="sines", cells=("gru",), seeds=(0,), horizon=6, log_dir=None, arima=False,
                            estimator={"max_epochs": 1, "hidden_size": 8}, data={"length": 100})  # fmt: skip
    table = forecast_table(config)
    for name in ("| GRU |", "| naive (last value) |", "| seasonal naive (12) |", "| linear direct AR"):
        assert name in table


def test_baselines_forecast_the_horizon():
    data = noisy_sines(length=120)
    forecasts = baselines(data, 12, "sines", arima=False)
    assert all(forecast.shape == (12,) for forecast in forecasts.values())
