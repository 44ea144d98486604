"""The estimators' shared base: parameters, training settings checked at fit, seeding, save/load, NotFitted,
TensorBoard logging, input errors, heads built on a policy, and scikit-learn's checks, search, pipelines, pickling."""

import inspect
import pickle
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from agents.sequence import RecurrentClassifier, RecurrentForecaster, RecurrentRegressor, TrainerConfig
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


# scikit-learn's own checks on 2-D X (N univariate sequences of length T), at settings that fit in a blink.
CHECKS = {"hidden_size": 4, "max_epochs": 5, "patience": 0}
COLUMNS_ARE_STEPS = (
    "a 2-D X is N univariate sequences whose columns are time steps: n_features_in_ counts channels per step (1), "
    "and X with other columns is a legal input of another length, not an error"
)
NOT_FOR_SEQUENCES = {
    "check_n_features_in": COLUMNS_ARE_STEPS,
    "check_n_features_in_after_fitting": COLUMNS_ARE_STEPS,
    "check_classifiers_train": COLUMNS_ARE_STEPS + " (accuracy > 0.83, checked first, passes)",
    "check_estimators_empty_data_messages": "X of shape (N, 0) is sequences of no steps: the message says so, "
    "not '0 feature(s)'",
    "check_regressors_train": "R^2 > 0.5 needs more than these fast settings (hidden_size=16, max_epochs=50, lr=1e-2, "
    "val_fraction=0 reach 0.82); " + COLUMNS_ARE_STEPS,
}


@parametrize_with_checks(
    [RecurrentClassifier(**CHECKS), RecurrentRegressor(**CHECKS)],
    expected_failed_checks=lambda estimator: NOT_FOR_SEQUENCES,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_scikit_learn_sees_a_classifier_a_regressor_and_sequence_input():
    assert is_classifier(RecurrentClassifier())
    assert is_regressor(RecurrentRegressor())
    assert not is_classifier(RecurrentForecaster())
    assert not is_regressor(RecurrentForecaster())
    assert get_tags(RecurrentClassifier()).input_tags.three_d_array
    assert get_tags(RecurrentRegressor()).target_tags.multi_output


@pytest.mark.parametrize("estimator", [RecurrentClassifier, RecurrentRegressor, RecurrentForecaster])
def test_training_keywords_mirror_the_trainer_config(estimator):
    defaults = {name: p.default for name, p in inspect.signature(estimator).parameters.items()}
    expected = {name: info.default for name, info in TrainerConfig.model_fields.items()}
    expected["random_state"] = expected.pop("seed")
    if estimator is RecurrentForecaster:
        # its own defaults: windows of one series overlap; the budget its forecasts were measured with
        expected |= {"batch_size": 32, "max_epochs": 300, "max_steps": 5_000, "min_steps": 0}
    assert {name: defaults[name] for name in expected} == expected


def test_cross_val_score_of_a_pipeline_equals_the_bare_estimator_and_is_real():
    X, y = sign_task(n=48)
    bare = cross_val_score(RecurrentClassifier(**CHECKS), X, y, cv=2, error_score="raise")
    piped = make_pipeline(FunctionTransformer(), RecurrentClassifier(**CHECKS))
    np.testing.assert_array_equal(cross_val_score(piped, X, y, cv=2, error_score="raise"), bare)
    assert np.isfinite(bare).all()
    assert ((bare >= 0) & (bare <= 1)).all()


def test_grid_search_over_a_trainer_keyword_on_variable_length_lists():
    X, y = sign_task(n=48)
    ragged = [x[: 4 + i % 5] for i, x in enumerate(X)]  # lengths 4 to 8
    grid = {"hidden_size": [2, 4], "max_epochs": [1, 3]}
    search = GridSearchCV(RecurrentClassifier(patience=0), grid, cv=2, error_score="raise").fit(ragged, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.hidden_size == search.best_params_["hidden_size"]
    assert search.predict(ragged[:5]).shape == (5,)
    assert list(search.classes_) == ["neg", "pos"]


def test_clone_copies_parameters_not_the_fit(fitted_classifier):
    clf, _, _ = fitted_classifier
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "module_")
    with pytest.raises(NotFittedError):
        copy.predict_proba(np.zeros((1, 8, 2)))
    forecaster = RecurrentForecaster(lookback=6, random_state=3)
    assert clone(forecaster).get_params() == forecaster.get_params()


def test_pickling_keeps_predictions_and_fitted_attributes(fitted_classifier):
    clf, X, _ = fitted_classifier
    ragged = [X[0, :3], X[1]]
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(ragged), clf.predict_proba(ragged))
    assert restored.n_features_in_ == 2
    assert list(restored.classes_) == list(clf.classes_)


def test_fit_leaves_the_global_generators_alone():
    X, y = sign_task(n=16)
    torch.manual_seed(11)
    np.random.seed(11)  # noqa: NPY002 - the legacy global generator is what must stay untouched
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
    RecurrentClassifier(**CHECKS, dropout=0.5, num_layers=2).fit(X, y)  # dropout draws inside fit
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == numpy_state[1].tolist()  # noqa: NPY002


def test_random_state_none_draws_a_fresh_seed_each_fit():
    X, y = sign_task(n=16)
    clf = RecurrentClassifier(**CHECKS, random_state=None)
    first = clf.fit(X, y).predict_proba(X)
    assert not np.array_equal(clf.fit(X, y).predict_proba(X), first)
    with pytest.raises(ValueError, match=r"^random_state='a': expected a valid integer"):
        RecurrentClassifier(random_state="a").fit(X, y)


def moving_dots(n=48, T=5, seed=0):
    """Frames (N, T, 1, 6, 6) of one bright pixel moving right (label 1) or left (0), wrapping; any frame alone is
    uniform, so only the order tells the classes apart."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = np.zeros((n, T, 1, 6, 6), dtype=np.float32)
    rows, columns = rng.integers(0, 6, n), rng.integers(0, 6, n)
    for i in range(n):
        for t in range(T):
            X[i, t, 0, rows[i], (columns[i] + (1 if y[i] else -1) * t) % 6] = 1.0
    return X, y


def test_frames_go_through_a_cnn_scaled_per_channel_and_never_downsampled(tmp_path):
    X, y = moving_dots()
    params = {"hidden_size": 8, "max_epochs": 2, "normalize": "series", "downsample_to": 2}
    clf = RecurrentClassifier(**params).fit(X, y)
    assert clf.feature_shape_ == (1, 6, 6)
    assert clf.mean_.shape == clf.scale_.shape == (1, 1, 1)
    np.testing.assert_allclose(clf.mean_.ravel(), [1 / 36], rtol=1e-5)
    assert (clf.normalize_, clf.stride_) == ("none", 1)  # pixels as they are, every frame read
    assert clf.module_.encoder.features is not None
    assert clf.predict_proba(X).shape == (48, 2)
    clf.save(tmp_path / "video.pt")
    loaded = RecurrentClassifier.load(tmp_path / "video.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_frame_clips_of_different_lengths_read_only_their_own_frames():
    X, y = moving_dots(n=16)
    clips = [x[: 3 + i % 3] for i, x in enumerate(X)]  # 3 to 5 frames
    clf = RecurrentClassifier(hidden_size=8, max_epochs=2, bidirectional=True).fit(clips, y)
    alone = np.concatenate([clf.predict_proba([X[i, :4]]) for i in range(3)])
    padded = clf.predict_proba([X[0, :4], X[1, :4], X[2]])  # the third is longer: the others are padded
    np.testing.assert_allclose(padded[:2], alone[:2], atol=1e-6)
    with pytest.raises(ValueError, match=r"X has per-step shape \(1, 6, 5\) \(features\); fitted on \(1, 6, 6\)"):
        clf.predict(X[:, :, :, :, :5])


def test_per_step_shapes_other_than_vectors_and_frames_are_named():
    message = r"X must be \(N, T, F\) or frames \(N, T, C, H, W\), got per-step shape \(6, 6\)"
    with pytest.raises(ValueError, match=message):
        RecurrentClassifier().fit(np.zeros((4, 3, 6, 6)), [0, 1, 0, 1])


@pytest.mark.slow
def test_the_order_of_frames_is_learned():
    X, y = moving_dots(n=400, T=5)
    X_test, y_test = moving_dots(n=200, T=5, seed=1)
    clf = RecurrentClassifier(hidden_size=16, lr=3e-4, max_steps=600, min_steps=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.9
