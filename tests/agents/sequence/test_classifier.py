"""RecurrentClassifier: learning a tiny task, label types, output shapes for every input form, per-step labels."""

import numpy as np

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
