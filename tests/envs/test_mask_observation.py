"""MaskObservation: keeps the chosen entries and bounds, rejects bad indices and spaces."""

import gymnasium as gym
import numpy as np
import pytest

from envs.wrappers import MaskObservation


def test_keeps_entries_in_the_given_order():
    base = gym.make("CartPole-v1")
    env = MaskObservation(gym.make("CartPole-v1"), keep=[2, 0])
    full, _ = base.reset(seed=1)
    obs, _ = env.reset(seed=1)
    np.testing.assert_array_equal(obs, full[[2, 0]])
    assert env.observation_space == gym.spaces.Box(
        base.observation_space.low[[2, 0]], base.observation_space.high[[2, 0]], dtype=np.float32
    )
    full, *_ = base.step(1)
    obs, *_ = env.step(1)
    np.testing.assert_array_equal(obs, full[[2, 0]])


def test_returns_a_copy():
    env = MaskObservation(gym.make("CartPole-v1"), keep=[0, 1, 2, 3])
    obs, _ = env.reset(seed=0)
    assert not np.shares_memory(obs, env.unwrapped.state)


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        ([], r"keep must be a non-empty sequence of integer indices in \[0, 4\), got \[\]"),
        ([0, 1.5], r"keep must be a non-empty sequence of integer indices in \[0, 4\), got \[0, 1.5\]"),
        ([0, 4], r"keep indices must be in \[0, 4\), got \[0, 4\]"),
        ([-1], r"keep indices must be in \[0, 4\), got \[-1\]"),
        ([1, 1], r"keep indices must be distinct, got \[1, 1\]"),
    ],
)
def test_bad_indices(keep, message):
    with pytest.raises(ValueError, match=message):
        MaskObservation(gym.make("CartPole-v1"), keep=keep)


def test_needs_a_vector_box():
    with pytest.raises(ValueError, match=r"MaskObservation needs a 1-D Box observation space, got Discrete\(16\)"):
        MaskObservation(gym.make("FrozenLake-v1"), keep=[0])
