"""RecurrentForecaster: beats the naive forecast, follows changes of units, input forms, covariates, named errors."""

import numpy as np
import pytest

from agents.sequence import RecurrentForecaster
from tests.agents.sequence.tasks import FAST, seasonal_series


@pytest.fixture(scope="module")
def fitted_forecaster():
    series = seasonal_series()
    return RecurrentForecaster(lookback=24, horizon=6, **FAST).fit(series[:-12]), series


def test_forecaster_beats_the_naive_forecast(fitted_forecaster):
    forecaster, series = fitted_forecaster
    forecast = forecaster.predict(series[:-12], horizon=12)
    assert forecast.shape == (12,)
    naive_mae = np.abs(series[-12:] - series[-13]).mean()
    assert np.abs(forecast - series[-12:]).mean() < naive_mae
    metrics = forecaster.evaluate(series[:-12], series[-12:], season=12)
    assert set(metrics) == {"mae", "rmse", "mape", "smape", "mase"}


@pytest.mark.parametrize("scaling", ["series", "window"])
def test_forecasts_follow_affine_changes_of_units(fitted_forecaster, scaling):
    """Scaling is done inside and undone on output: forecasting a*x + b gives a*forecast + b."""
    forecaster, series = fitted_forecaster
    fitted_with = forecaster.scaling
    forecaster.set_params(scaling=scaling)
    history = series[:48]
    try:
        np.testing.assert_allclose(
            forecaster.predict(1000 * history + 5000), 1000 * forecaster.predict(history) + 5000, rtol=1e-4
        )
    finally:
        forecaster.set_params(scaling=fitted_with)  # the module-scoped fixture is shared


def test_forecaster_input_forms_and_save_load(fitted_forecaster, tmp_path):
    forecaster, series = fitted_forecaster
    assert forecaster.predict(series[:40, None]).shape == (6, 1)
    assert forecaster.predict([series[:40], series[10:60]]).shape == (2, 6, 1)
    forecaster.save(tmp_path / "f.pt")
    loaded = RecurrentForecaster.load(tmp_path / "f.pt")
    np.testing.assert_array_equal(loaded.predict(series[:40]), forecaster.predict(series[:40]))


def test_forecaster_with_covariates_and_several_series():
    series = [seasonal_series(60, seed) for seed in range(2)]
    covariates = [np.arange(60.0)[:, None] % 12 for _ in range(2)]
    forecaster = RecurrentForecaster(lookback=12, horizon=3, **FAST | {"max_epochs": 2}).fit(series, covariates)
    assert forecaster.n_covariates_ == 1
    forecast = forecaster.predict(series[0][:30], horizon=5, covariates=covariates[0][:35])
    assert forecast.shape == (5,)
    with pytest.raises(ValueError, match="fitted with 1 covariates: pass covariates"):
        forecaster.predict(series[0][:30])


def test_forecaster_errors_are_named(fitted_forecaster):
    forecaster, series = fitted_forecaster
    with pytest.raises(ValueError, match="horizon must be >= 1, got 0"):
        forecaster.predict(series, horizon=0)
    with pytest.raises(ValueError, match="horizon must be >= 1, got 0"):
        RecurrentForecaster(horizon=0).fit(series)
    with pytest.raises(ValueError, match="history has 2 channels; fitted with 1"):
        forecaster.predict(np.zeros((30, 2)))
    with pytest.raises(ValueError, match="at least lookback = 24 steps"):
        forecaster.predict(series[:10])
    with pytest.raises(ValueError, match="history contains NaN"):
        forecaster.predict(np.full(30, np.nan))
    with pytest.raises(ValueError, match="No series is long enough for lookback \\+ horizon = 30"):
        RecurrentForecaster(lookback=24, horizon=6).fit(series[:20])
