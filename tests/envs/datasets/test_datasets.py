"""Sequence data: synthetic tasks checked against their definitions, real sets against their published sizes."""

import importlib

import numpy as np
import pytest

from agents.sequence.inputs import as_sequences, as_series, sliding_windows
from envs import datasets
from envs.datasets import (
    SequenceData,
    SeriesData,
    adding_problem,
    collect_trajectories,
    load_dataset,
    noisy_sines,
    parity,
)


def test_as_sequences_reads_every_input_form():
    padded, lengths = as_sequences(np.zeros((4, 6, 3)))
    assert padded.shape == (4, 6, 3)
    assert padded.dtype == np.float32
    assert lengths.tolist() == [6] * 4
    padded, lengths = as_sequences(np.zeros((4, 6)))  # univariate
    assert padded.shape == (4, 6, 1)
    padded, lengths = as_sequences([np.ones((2, 3)), np.ones((5, 3))])
    assert padded.shape == (2, 5, 3)
    assert lengths.tolist() == [2, 5]
    assert padded[0, 2:].sum() == 0
    padded, lengths = as_sequences([np.ones(3), np.ones(1)])  # univariate list
    assert padded.shape == (2, 3, 1)
    assert lengths.tolist() == [3, 1]


def test_as_series_and_sliding_windows():
    items, is_list = as_series(np.arange(10.0))
    assert not is_list
    assert items[0].shape == (10, 1)
    with pytest.raises(ValueError, match="series contains NaN"):
        as_series([np.array([1.0, np.nan])])
    s, c = np.arange(10.0)[:, None], np.arange(10.0)[:, None] + 100
    past, future, future_cov = sliding_windows(s, c, 4, 2)
    assert past.shape == (5, 4, 2)
    assert future.shape == (5, 2, 1)
    assert future_cov.shape == (5, 2, 1)
    assert past[1, :, 0].tolist() == [1, 2, 3, 4]
    assert future[1, :, 0].tolist() == [5, 6]
    assert future_cov[1, :, 0].tolist() == [105, 106]
    assert sliding_windows(s, c, 8, 4)[0].shape == (0, 8, 2)


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


def test_unknown_data_set_is_named():
    with pytest.raises(ValueError, match="Unknown data set 'mnist'"):
        load_dataset("mnist")


def test_missing_extra_names_the_extra(monkeypatch):
    def fail(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(importlib, "import_module", fail)
    with pytest.raises(ImportError, match=r"recurrent-agents\[data\]"):
        datasets.load_airline()
    with pytest.raises(ImportError, match=r"recurrent-agents\[baselines\]"):
        datasets.load_sunspots()


def test_ucr_uea_sets_have_their_standard_splits():
    pytest.importorskip("sktime")
    italy = load_dataset("italy_power_demand")
    assert isinstance(italy, SequenceData)
    assert italy.X_train.shape == (67, 24, 1)
    assert italy.X_test.shape == (1029, 24, 1)
    assert set(italy.y_train) == {1, 2}
    vowels = load_dataset("japanese_vowels")
    assert len(vowels.X_train) == 270
    assert len(vowels.X_test) == 370
    lengths = [len(x) for x in vowels.X_train + vowels.X_test]
    assert min(lengths) == 7
    assert max(lengths) == 29
    assert {x.shape[1] for x in vowels.X_train} == {12}
    assert set(vowels.y_test) == set(range(1, 10))


def test_forecasting_series_hold_out_their_standard_horizons():
    pytest.importorskip("sktime")
    airline = load_dataset("airline")
    assert airline.train.shape == (108,)
    assert airline.test.shape == (36,)
    assert airline.season == 12
    assert airline.train[0] == 112
    assert airline.test[-1] == 432
    pytest.importorskip("statsmodels")
    sunspots = load_dataset("sunspots")
    assert sunspots.train.shape == (288,)
    assert sunspots.test.shape == (21,)
    assert sunspots.season == 11


class TurnUpAtJunction:
    """A scripted policy with sb3-contrib's predict signature: forward, then up at the junction."""

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        return np.where(obs[:, 3] == 1, 1, 0), state


def test_collect_trajectories_labels_each_step_with_the_true_state():
    from stable_baselines3.common.env_util import make_vec_env

    import envs  # noqa: F401 - registers pomdp/*

    env = make_vec_env("pomdp/TMaze-v0", n_envs=2, seed=0)
    data = collect_trajectories(TurnUpAtJunction(), env, n_episodes=6)
    assert len(data.observations) == len(data.states) == len(data.actions) == 6
    for obs, states, actions, ret in zip(data.observations, data.states, data.actions, data.returns, strict=True):
        assert obs.shape == (7, 4)  # positions 0..6; the turn at the junction ends the episode
        assert states[:, 0].tolist() == list(range(7))
        cue = states[0, 1]
        assert (states[:, 1] == cue).all()
        assert obs[0, cue] == 1  # the cue is visible at the start only
        assert actions.tolist() == [0] * 6 + [1]
        assert ret == (1.0 if cue == 0 else 0.0)
    with pytest.raises(ValueError, match="n_episodes must be >= 1"):
        collect_trajectories(TurnUpAtJunction(), env, n_episodes=0)
