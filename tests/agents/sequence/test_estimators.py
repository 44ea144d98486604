"""Estimators: every input form, learning on tiny tasks, save/load, parameters, scaling, and named input errors."""

import numpy as np
import pytest
import torch

from agents.sequence import RecurrentClassifier, RecurrentForecaster, RecurrentRegressor
from agents.sequence.baselines import (
    MajorityClassifier,
    NearestNeighborClassifier,
    arima_forecast,
    linear_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)

FAST = {"hidden_size": 16, "max_epochs": 40, "patience": 0, "batch_size": 16}


def sign_task(n=96, T=8, seed=0):
    """Label: the sign of the sum of the first channel over all steps, which the network must accumulate."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, 2)).astype(np.float32)
    return X, np.where(X[:, :, 0].sum(1) > 0, "pos", "neg")


@pytest.fixture(scope="module")
def fitted_classifier():
    X, y = sign_task()
    return RecurrentClassifier(**FAST).fit(X, y), X, y


def test_classifier_learns_and_keeps_label_types(fitted_classifier):
    clf, _X, _y = fitted_classifier
    history = clf.history_.epochs
    assert history[-1]["train/loss"] < history[0]["train/loss"]
    X_test, y_test = sign_task(n=64, seed=1)
    assert clf.score(X_test, y_test) > 0.8  # chance is 0.5
    assert set(clf.predict(X_test)) <= {"neg", "pos"}
    assert list(clf.classes_) == ["neg", "pos"]


def test_classifier_output_shapes_for_every_input_form(fitted_classifier):
    clf, X, _ = fitted_classifier
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 2)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    ragged = [X[0, :3], X[1], X[2, :5]]
    assert clf.predict_proba(ragged).shape == (3, 2)
    np.testing.assert_allclose(clf.predict_proba(ragged)[1], proba[1], atol=1e-5)  # padding changes nothing
    univariate = RecurrentClassifier(**FAST | {"max_epochs": 1}).fit(X[:, :, 0], np.arange(len(X)) % 3)
    assert univariate.predict(X[:4, :, 0]).shape == (4,)
    assert univariate.feature_shape_ == (1,)


def test_save_load_gives_identical_predictions(fitted_classifier, tmp_path):
    clf, X, _ = fitted_classifier
    clf.save(tmp_path / "clf.pt")
    loaded = RecurrentClassifier.load(tmp_path / "clf.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.get_params() == clf.get_params()
    with pytest.raises(ValueError, match="holds a RecurrentClassifier, not a RecurrentRegressor"):
        RecurrentRegressor.load(tmp_path / "clf.pt")


def test_params_round_trip_and_unknown_names():
    clf = RecurrentClassifier(cell="lstm", lr=1e-3)
    params = clf.get_params()
    assert params["cell"] == "lstm"
    assert params["lr"] == 1e-3
    assert params["patience"] == 30
    assert RecurrentClassifier(**params).get_params() == params
    assert params["batch_size"] == 16
    assert RecurrentForecaster().get_params()["batch_size"] == 32  # the forecaster's own default
    assert clf.set_params(hidden_size=8, max_epochs=3) is clf
    assert clf.trainer_config().max_epochs == 3
    with pytest.raises(ValueError, match="Invalid parameter 'hiden_size'"):
        clf.set_params(hiden_size=8)
    with pytest.raises(ValueError, match=r"Unknown parameters \['learning_rate'\]"):
        RecurrentClassifier(learning_rate=1e-3)


def test_same_seed_same_model():
    X, y = sign_task(n=32)
    first = RecurrentClassifier(**FAST | {"max_epochs": 3}, seed=5).fit(X, y)
    second = RecurrentClassifier(**FAST | {"max_epochs": 3}, seed=5).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_bad_inputs_raise_named_errors(fitted_classifier):
    clf, X, y = fitted_classifier
    with pytest.raises(ValueError, match=r"X has per-step shape \(3,\) \(features\); fitted on \(2,\)"):
        clf.predict(np.zeros((2, 8, 3)))
    nan = X.copy()
    nan[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        RecurrentClassifier().fit(nan, y)
    with pytest.raises(ValueError, match="y has 95 labels but X has 96 sequences"):
        RecurrentClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"y\[1\] has 3 labels but X\[1\] has 2 steps"):
        RecurrentClassifier(per_step=True).fit([np.zeros(4), np.zeros(2)], [np.zeros(4), np.zeros(3)])
    with pytest.raises(ValueError, match="not fitted yet"):
        RecurrentClassifier().predict(X)


def test_per_step_classifier_labels_every_step():
    rng = np.random.default_rng(0)
    X = [rng.integers(0, 2, (length, 1)).astype(np.float32) for length in rng.integers(3, 9, 64)]
    y = [np.cumsum(x[:, 0]) % 2 for x in X]  # running parity
    clf = RecurrentClassifier(per_step=True, **FAST | {"max_epochs": 3}).fit(X, y)
    predicted = clf.predict(X[:5])
    assert [len(p) for p in predicted] == [len(x) for x in X[:5]]
    assert clf.predict_proba(X[:5])[0].shape == (len(X[0]), 2)
    assert 0.0 <= clf.score(X, y) <= 1.0


def test_regressor_learns_a_sum_and_restores_units():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (128, 6, 1)).astype(np.float32)
    y = 100.0 + 50.0 * X.sum((1, 2))  # far from unit scale: standardized inside, restored outside
    reg = RecurrentRegressor(**FAST | {"max_epochs": 60}).fit(X, y)
    assert reg.score(X, y) > 0.8
    assert abs(reg.predict(X).mean() - y.mean()) < 10
    with pytest.raises(ValueError, match="y contains NaN"):
        RecurrentRegressor().fit(X, np.full(128, np.nan))


def seasonal_series(n=120, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 12) + 0.05 * t + 0.1 * rng.standard_normal(n)


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
    forecaster.set_params(scaling=scaling)
    history = series[:48]
    np.testing.assert_allclose(
        forecaster.predict(1000 * history + 5000), 1000 * forecaster.predict(history) + 5000, rtol=1e-4
    )
    forecaster.set_params(scaling="window")


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


def test_tensorboard_scalars_are_written(tmp_path):
    X, y = sign_task(n=32)
    RecurrentClassifier(**FAST | {"max_epochs": 2}, log_dir=str(tmp_path)).fit(X, y)
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_frozen_probe_leaves_the_policy_unchanged():
    gym = pytest.importorskip("gymnasium")
    from agents.ppo.recurrent_ppo import RecurrentPPO

    env = gym.make("CartPole-v1")
    model = RecurrentPPO("MlpGruPolicy", env, n_steps=8, batch_size=8, policy_kwargs={"hidden_size": 8})
    before = {k: v.clone() for k, v in model.policy.state_dict().items()}
    X, y = np.random.default_rng(0).standard_normal((32, 5, 4)).astype(np.float32), np.arange(32) % 2
    probe = RecurrentClassifier.from_policy(model, **FAST | {"max_epochs": 3}).fit(X, y)
    assert all(torch.equal(before[k], v) for k, v in model.policy.state_dict().items())
    encoder_before = {k: v.clone() for k, v in probe.module_.encoder.state_dict().items()}
    copied = probe.module_.encoder.core.state_dict()
    assert all(torch.equal(copied[k], before[f"actor_core.{k}"]) for k in copied)
    probe.fit(X, y)
    assert all(torch.equal(encoder_before[k], v) for k, v in probe.module_.encoder.state_dict().items())
