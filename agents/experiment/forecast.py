"""Train and evaluate recurrent forecasters on a named series, from a fixed origin, against classical baselines.

Each cell type and seed is trained on the series up to the origin and forecasts the held-out horizon in one go.
The table shows MAE, RMSE, MAPE, sMAPE and MASE (scaled by the training series' seasonal naive error) beside the
naive, seasonal naive and linear direct AR (ridge) forecasts, and an ARIMA when statsmodels is installed.

    python scripts/forecast.py --dataset airline --cells rnn lstm gru --seeds 0 1 2
    python scripts/forecast.py --dataset sines --set max_epochs=5 --data length=300
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.experiment.head_settings import check_head_settings
from agents.sequence import RecurrentForecaster
from agents.sequence.baselines import arima_forecast, linear_forecast, naive_forecast, seasonal_naive_forecast
from agents.sequence.metrics import forecast_metrics
from envs.datasets import FORECASTING, SeriesData, load_dataset

METRICS = ("mae", "rmse", "mape", "smape", "mase")
# Classical orders for the ARIMA baseline: the airline model, and AR(9) for sunspots (Box & Jenkins; Tong).
ARIMA_ORDERS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int, int]]] = {
    "airline": ((0, 1, 1), (0, 1, 1, 12)),
    "sunspots": ((9, 0, 0), (0, 0, 0, 0)),
}


@dataclass(frozen=True)
class ForecastConfig:
    """What to train and how to report it."""

    dataset: str = "airline"
    """A name from ``envs.datasets.FORECASTING``."""
    cells: tuple[str, ...] = ("rnn", "lstm", "gru")
    """Cell types to compare, each with the estimator's default settings."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """One training run per seed; the table shows means and per-seed RMSE."""
    horizon: int | None = None
    """Steps forecast at once (None: the whole held-out part; at most that)."""
    estimator: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of estimator parameters, e.g. ``(("lookback", 36),)``."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Arguments of a synthetic generator, e.g. ``(("length", 300),)``."""
    log_dir: str | None = "runs/forecast"
    """TensorBoard logs go to ``<log_dir>/<dataset>/<cell>_seed<seed>`` (None: no logs)."""
    device: str = "cpu"
    """Torch device of the networks."""
    arima: bool = True
    """Add the ARIMA baseline when statsmodels is installed (slow to fit on long seasonal series)."""


SCRIPT_KEYS = ("cell", "random_state", "log_dir", "device", "horizon")  # set per run by the script's own flags


def check_config(config: ForecastConfig) -> None:
    """Every setting checked before a network is built or a log is written."""
    loader = FORECASTING[config.dataset]
    check_head_settings(
        config.cells,
        config.seeds,
        config.estimator,
        RecurrentForecaster,
        SCRIPT_KEYS,
        loader,
        config.dataset,
        config.data,
    )


def baselines(data: SeriesData, horizon: int, name: str, arima: bool = True) -> dict[str, np.ndarray]:
    """Forecasts of the classical baselines from the same origin."""
    forecasts = {
        "naive (last value)": naive_forecast(data.train, horizon),
        f"seasonal naive ({data.season})": seasonal_naive_forecast(data.train, horizon, data.season),
        "linear direct AR (ridge, lookback 24)": linear_forecast(data.train, horizon),
    }
    if arima and importlib.util.find_spec("statsmodels") is not None:
        seasonal = (0, 1, 1, data.season) if data.season > 1 else (0, 0, 0, 0)
        order, seasonal_order = ARIMA_ORDERS.get(name, ((1, 1, 1), seasonal))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter from statsmodels
            forecasts[f"ARIMA{order}{seasonal_order if any(seasonal_order) else ''}"] = arima_forecast(
                data.train, horizon, order, seasonal_order
            )
    return forecasts


def row(name: str, metrics: list[dict[str, float]], extra: str = "") -> str:
    means = " | ".join(f"{np.mean([m[k] for m in metrics]):.3f}" for k in METRICS)
    return f"| {name} | {means} | {extra} |"


def forecast_table(config: ForecastConfig) -> str:
    """Train every cell and seed; return the markdown result table."""
    data = load_dataset(config.dataset, **config.data)
    assert isinstance(data, SeriesData)
    horizon = min(config.horizon or len(data.test), len(data.test))
    test = data.test[:horizon]
    rows = [
        "| model | MAE | RMSE | MAPE % | sMAPE % | MASE | RMSE per seed, train time |",
        "|---|---|---|---|---|---|---|",
    ]
    for cell in config.cells:
        metrics, seconds = [], []
        for seed in config.seeds:
            log_dir = f"{config.log_dir}/{config.dataset}/{cell}_seed{seed}" if config.log_dir else None
            params = {
                "horizon": horizon,
                "cell": cell,
                "random_state": seed,
                "log_dir": log_dir,
                "device": config.device,
                **config.estimator,
            }
            begin = time.perf_counter()
            forecast = RecurrentForecaster(**params).fit(data.train).predict(data.train, horizon)
            seconds.append(time.perf_counter() - begin)
            metrics.append(forecast_metrics(test, forecast, data.train, data.season))
            print(f"{cell} seed {seed}: RMSE {metrics[-1]['rmse']:.3f} in {seconds[-1]:.0f} s", flush=True)
        per_seed = ", ".join(f"{m['rmse']:.2f}" for m in metrics)
        rows.append(row(cell.upper(), metrics, f"{per_seed}; {np.mean(seconds):.0f} s"))
    for name, forecast in baselines(data, horizon, config.dataset, config.arima).items():
        rows.append(row(name, [forecast_metrics(test, forecast, data.train, data.season)]))
    return "\n".join(rows)
