"""The estimators' shared base: parameters, training settings checked at fit, seeding, save/load, NotFitted,
TensorBoard logging, input errors, and heads built on a policy."""

import re

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from agents.sequence import RecurrentClassifier, RecurrentForecaster, RecurrentRegressor
from tests.agents.sequence.tasks import FAST, seasonal_series, sign_task


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
    with pytest.raises(TypeError, match="unexpected keyword argument 'learning_rate'"):
        RecurrentClassifier(learning_rate=1e-3)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": -1.0}, "lr=-1.0: expected > 0"),
        ({"val_fraction": 1.0}, "val_fraction=1.0: expected < 1"),
        ({"schedule": "step"}, "schedule='step': expected 'plateau', 'cosine' or 'constant'"),
        ({"device": "mps"}, "device='mps': expected 'cpu', 'cuda', 'cuda:N' or 'auto'"),
    ],
)
def test_bad_training_parameters_are_stored_and_raise_one_line_at_fit(params, message):
    """As in scikit-learn, the constructor stores parameters as given; fit checks them before it reads the data."""
    clf = RecurrentClassifier(**params)
    assert clf.get_params().items() >= params.items()
    X, y = sign_task(n=8)
    X[0, 0, 0] = np.nan  # a data error too: the parameter is reported first
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RecurrentForecaster(**params).fit(seasonal_series())


def test_same_seed_same_model():
    X, y = sign_task(n=32)
    first = RecurrentClassifier(**FAST | {"max_epochs": 3}, random_state=5).fit(X, y)
    second = RecurrentClassifier(**FAST | {"max_epochs": 3}, random_state=5).fit(X, y)
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
    with pytest.raises(NotFittedError, match="This RecurrentClassifier instance is not fitted yet"):
        RecurrentClassifier().predict(X)


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
