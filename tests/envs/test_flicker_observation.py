"""FlickerObservation: blanks with probability p, seeded on its own stream, validates p and the space."""

import gymnasium as gym
import numpy as np
import pytest

from envs.wrappers import FlickerObservation


def _observations(env: gym.Env, seed: int, n_steps: int) -> np.ndarray:
    obs, _ = env.reset(seed=seed)
    observations = [obs]
    for _ in range(n_steps):
        obs, *_ = env.step(0)
        observations.append(obs)
    return np.array(observations)


def test_blanks_about_p_of_the_observations():
    env = FlickerObservation(gym.make("pomdp/RepeatFirstHard-v0"), p=0.3)  # never all-zero unless blanked
    observations = _observations(env, seed=0, n_steps=127)  # the last one is the env's own blank
    blank = ~observations[:-1].any(axis=1)
    assert blank.mean() == pytest.approx(0.3, abs=0.1)


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_extremes(p):
    plain = _observations(gym.make("pomdp/RepeatFirst-v0"), seed=4, n_steps=7)
    flickered = _observations(FlickerObservation(gym.make("pomdp/RepeatFirst-v0"), p=p), seed=4, n_steps=7)
    np.testing.assert_array_equal(flickered, plain if p == 0.0 else np.zeros_like(plain))


def test_seeded_and_leaves_the_env_stream_alone():
    env = FlickerObservation(gym.make("pomdp/RepeatFirstHard-v0"), p=0.5)
    first, again = _observations(env, seed=2, n_steps=50), _observations(env, seed=2, n_steps=50)
    np.testing.assert_array_equal(first, again)
    plain = _observations(gym.make("pomdp/RepeatFirstHard-v0"), seed=2, n_steps=50)
    shown = first.any(axis=1)
    np.testing.assert_array_equal(first[shown], plain[shown])  # what is not blanked is the env's own trajectory
    assert not np.array_equal(first, _observations(env, seed=3, n_steps=50))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_probability(p):
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got"):
        FlickerObservation(gym.make("CartPole-v1"), p=p)


def test_zeros_must_be_in_the_space():
    env = gym.make("CartPole-v1")
    env.observation_space = gym.spaces.Box(1.0, 2.0, shape=(4,), dtype=np.float32)
    with pytest.raises(ValueError, match=r"FlickerObservation blanks to zeros, which must lie inside"):
        FlickerObservation(env, p=0.5)


def test_needs_a_box():
    with pytest.raises(ValueError, match=r"FlickerObservation needs a Box observation space, got Discrete\(16\)"):
        FlickerObservation(gym.make("FrozenLake-v1"), p=0.5)
