"""Synthetic sequence tasks, checked against their definitions: the adding problem, parity, noisy sines."""

import numpy as np

from envs.datasets.base import SeriesData
from envs.datasets.synthetic import adding_problem, noisy_sines, parity


def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    data = adding_problem(n_train=50, n_test=10, T=20, seed=3)
    assert data.X_train.shape == (50, 20, 2)
    assert data.X_test.shape == (10, 20, 2)
    assert data.task == "regression"
    X, y = data.X_train, data.y_train
    assert (X[:, :10, 1].sum(1) == 1).all()
    assert (X[:, 10:, 1].sum(1) == 1).all()
    np.testing.assert_allclose(y, (X[:, :, 0] * X[:, :, 1]).sum(1), rtol=1e-6)


def test_parity_labels_and_variable_lengths():
    data = parity(n_train=40, n_test=10, T=12, seed=1)
    lengths = [len(x) for x in data.X_train]
    assert min(lengths) >= 6
    assert max(lengths) <= 12
    assert len(set(lengths)) > 1
    assert [int(x.sum()) % 2 for x in data.X_test] == data.y_test.tolist()


def test_synthetic_sets_are_seeded():
    assert np.array_equal(noisy_sines(seed=4).train, noisy_sines(seed=4).train)
    assert not np.array_equal(noisy_sines(seed=4).train, noisy_sines(seed=5).train)
    first, second = parity(n_train=8, n_test=2, seed=7), parity(n_train=8, n_test=2, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first.X_train, second.X_train, strict=True))


def test_noisy_sines_holds_out_the_horizon():
    data = noisy_sines(length=100, horizon=12)
    assert isinstance(data, SeriesData)
    assert data.train.shape == (100,)
    assert data.test.shape == (12,)
