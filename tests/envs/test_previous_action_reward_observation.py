"""PreviousActionRewardObservation: [obs, previous action, previous reward] for Discrete and Box actions."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from envs.wrappers import PreviousActionRewardObservation


def test_discrete_action_is_one_hot():
    env = PreviousActionRewardObservation(gym.make("pomdp/TMaze-v0"))
    obs, _ = env.reset(seed=0)
    assert env.observation_space.shape == (4 + 3 + 1,)
    np.testing.assert_array_equal(obs[4:], np.zeros(4))
    obs, reward, *_ = env.step(2)
    np.testing.assert_array_equal(obs[4:], [0.0, 0.0, 1.0, reward])


def test_box_action_is_clipped_and_reward_appended():
    env = PreviousActionRewardObservation(gym.make("pomdp/PointRecall-v0", delay=0), reward_bounds=(0.0, 1.0))
    env.reset(seed=0)
    env.step(np.array([0.0], dtype=np.float32))  # the cue step
    obs, reward, *_ = env.step(np.array([3.0], dtype=np.float32))
    assert obs.dtype == np.float32
    np.testing.assert_allclose(obs[4:], [1.0, reward])
    assert obs in env.observation_space


def test_reset_clears_the_previous_step():
    env = PreviousActionRewardObservation(gym.make("CartPole-v1"))
    env.reset(seed=0)
    env.step(1)
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs[4:], np.zeros(3))


def test_discrete_action_with_start():
    base = gym.make("CartPole-v1")
    base.action_space = gym.spaces.Discrete(2, start=1)
    env = PreviousActionRewardObservation(base)
    env.reset(seed=0)
    obs, *_ = env.step(1)
    np.testing.assert_array_equal(obs[4:6], [1.0, 0.0])


@pytest.mark.parametrize("env_id", ["pomdp/RepeatPrevious-v0", "pomdp/PendulumNoVel-v0"])
def test_passes_checkers_with_finite_reward_bounds(env_id):
    bounds = (0.0, 1.0) if env_id.startswith("pomdp/Repeat") else (-20.0, 0.0)
    env = PreviousActionRewardObservation(gym.make(env_id), reward_bounds=bounds)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*is different from the unwrapped version")
        gym_check_env(env, skip_render_check=True)
        sb3_check_env(env)


@pytest.mark.parametrize("bounds", [(1.0, 1.0), (2.0, -2.0)])
def test_bad_reward_bounds(bounds):
    with pytest.raises(ValueError, match=r"reward_bounds must be \(low, high\) with low < high, got"):
        PreviousActionRewardObservation(gym.make("CartPole-v1"), reward_bounds=bounds)


def test_unsupported_spaces():
    with pytest.raises(ValueError, match=r"needs a 1-D Box observation space, got Discrete\(16\)"):
        PreviousActionRewardObservation(gym.make("FrozenLake-v1"))
    env = gym.make("CartPole-v1")
    env.action_space = gym.spaces.MultiBinary(2)
    with pytest.raises(ValueError, match=r"needs a Discrete or Box action space, got MultiBinary\(2\)"):
        PreviousActionRewardObservation(env)
