"""RecurrentClassifier: learning a tiny task, label types, output shapes for every input form, per-step labels."""

import numpy as np
import pytest

from agents.sequence import RecurrentClassifier
from tests.agents.sequence.tasks import FAST, sign_task


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


def test_per_step_classifier_labels_every_step():
    rng = np.random.default_rng(0)
    X = [rng.integers(0, 2, (length, 1)).astype(np.float32) for length in rng.integers(3, 9, 64)]
    y = [np.cumsum(x[:, 0]) % 2 for x in X]  # running parity
    clf = RecurrentClassifier(per_step=True, **FAST | {"max_epochs": 3}).fit(X, y)
    predicted = clf.predict(X[:5])
    assert [len(p) for p in predicted] == [len(x) for x in X[:5]]
    assert clf.predict_proba(X[:5])[0].shape == (len(X[0]), 2)
    assert 0.0 <= clf.score(X, y) <= 1.0


def test_validation_split_keeps_each_class_share():
    y = np.array([0] * 60 + [1] * 20 + [2] * 10)
    clf = RecurrentClassifier(val_fraction=0.2)
    for seed in range(3):
        train, val = clf._split(y, clf.set_params(random_state=seed).trainer_config())
        assert np.bincount(y[val]).tolist() == [12, 4, 2]  # round(0.2 * class size), every class
        assert sorted([*train, *val]) == list(range(len(y)))


def test_a_validation_split_of_a_handful_of_sequences_is_not_made():
    clf = RecurrentClassifier(val_fraction=0.2, random_state=0)
    small, just_enough = np.repeat([0, 1, 2], 12), np.repeat([0, 1], 25)  # 6 and 10 validation sequences
    train, val = clf._split(small, clf.trainer_config())
    assert len(val) == 0
    assert train.tolist() == list(range(len(small)))
    assert len(clf._split(just_enough, clf.trainer_config())[1]) == 10
    fitted = RecurrentClassifier(**FAST | {"max_steps": 6, "min_steps": 0}).fit(np.zeros((36, 5, 1)), small)
    assert len(fitted.history_.epochs) == 2  # the whole step budget (3 steps an epoch), nothing validated
    assert not any(key.startswith("val") for epoch in fitted.history_.epochs for key in epoch)


def test_long_sequences_are_downsampled_and_short_ones_are_not():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 150, 1)).astype(np.float32), np.arange(16) % 2
    long = RecurrentClassifier(**FAST | {"max_epochs": 1}).fit(X, y)
    assert long.stride_ == 3  # 150 steps -> 50 core steps, at most downsample_to = 64
    assert long.module_.downsample is not None
    assert long.module_.encoder.backward_core is not None  # bidirectional="auto": two cores behind the front end
    ragged = [X[0, :40], X[1], X[2, :7]]
    proba = long.predict_proba(ragged)
    np.testing.assert_allclose(proba[1], long.predict_proba(X[1:2])[0], atol=1e-5)  # padding changes nothing
    np.testing.assert_allclose(proba[2], long.predict_proba([X[2, :7]])[0], atol=1e-5)
    short = RecurrentClassifier(**FAST | {"max_epochs": 1}).fit(X[:, :64], y)
    assert short.stride_ == 1
    assert short.module_.downsample is None
    assert short.module_.encoder.backward_core is None
    never = RecurrentClassifier(**FAST | {"max_epochs": 1}, downsample_to=None).fit(X, y)
    assert never.stride_ == 1
    with pytest.raises(ValueError, match="downsample_to=0: expected a positive integer or None"):
        RecurrentClassifier(downsample_to=0).fit(X, y)
    with pytest.raises(ValueError, match="bidirectional='yes': expected True, False or 'auto'"):
        RecurrentClassifier(bidirectional="yes").fit(X, y)


def test_series_normalisation_keeps_level_and_scale_as_channels():
    """The label is the level of each sequence: per-series z-normalisation alone erases it, its statistics keep it."""
    rng = np.random.default_rng(0)
    level = rng.choice([-1.0, 1.0], 96)
    X = (level[:, None, None] + rng.standard_normal((96, 8, 1))).astype(np.float32)
    y = level > 0
    fitted = {
        normalize: RecurrentClassifier(**FAST | {"hidden_size": 8, "max_epochs": 20}, normalize=normalize).fit(
            X[:64], y[:64]
        )
        for normalize in ("series_stats", "series")
    }
    assert fitted["series_stats"].normalize_ == "series_stats"
    assert fitted["series_stats"].module_.encoder.core.input_size == 3  # value, level, log-scale
    assert fitted["series_stats"].score(X[64:], y[64:]) > 0.9
    assert fitted["series"].score(X[64:], y[64:]) < 0.75  # chance is about 0.5
    per_step = RecurrentClassifier(per_step=True, normalize="series", **FAST | {"max_epochs": 1})
    per_step.fit(list(X[:8]), [np.zeros(8, int)] * 8)
    assert per_step.normalize_ == "none"  # a step's label must not see later steps
    with pytest.raises(ValueError, match="normalize='z': expected one of 'auto', 'series_stats', 'series', 'none'"):
        RecurrentClassifier(normalize="z").fit(X, y)


def test_auto_normalisation_follows_the_spread_of_sequence_scales():
    """Scales spread over decades: normalised per sequence (scale kept as a channel); one common scale: left as is."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 12, 2)).astype(np.float32)
    y = np.arange(32) % 2
    same = RecurrentClassifier(**FAST | {"max_epochs": 1}).fit(5.0 * X, y)
    assert same.normalize_ == "none"
    assert same.module_.encoder.core.input_size == 2
    wide = 10.0 ** rng.uniform(-3, 3, (32, 1, 1)).astype(np.float32)
    spread = RecurrentClassifier(**FAST | {"max_epochs": 1}).fit(X * wide, y)
    assert spread.normalize_ == "series_stats"
    assert spread.module_.encoder.core.input_size == 6  # values, levels, log-scales
    assert spread.predict(X[:3] * wide[:3]).shape == (3,)
    forced = RecurrentClassifier(**FAST | {"max_epochs": 1}, normalize="none").fit(X * wide, y)
    assert forced.normalize_ == "none"


@pytest.mark.slow
def test_defaults_learn_a_long_series():
    """OSULeaf: 427 steps, 200 training series, 6 classes; within 0.05 of 1-NN DTW's published 0.591 (1-2 min)."""
    pytest.importorskip("sktime")
    from envs.datasets import UCR_UEA, load_dataset

    data = load_dataset("osu_leaf")
    clf = RecurrentClassifier(random_state=0).fit(data.X_train, data.y_train)
    assert clf.stride_ == 7  # 427 steps -> 61 core steps
    assert clf.score(data.X_test, data.y_test) >= UCR_UEA["osu_leaf"].dtw_accuracy - 0.05
