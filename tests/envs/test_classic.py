"""Velocity-masked classic control: the kept entries are the full state's positions, dynamics are Gymnasium's."""

import gymnasium as gym
import numpy as np
import pytest

from envs.classic import NO_VELOCITY, has_box2d, make_no_velocity

TASKS = [task for task in NO_VELOCITY if task != "LunarLander" or has_box2d()]


@pytest.mark.parametrize("task", TASKS)
def test_observation_is_the_state_without_velocities(task):
    env = gym.make(f"pomdp/{task}NoVel-v0")
    keep = list(NO_VELOCITY[task][1])
    env.action_space.seed(0)
    obs, info = env.reset(seed=0)
    for _ in range(20):
        np.testing.assert_array_equal(obs, info["state"][keep])
        obs, _, terminated, truncated, info = env.step(env.action_space.sample())
        if terminated or truncated:
            obs, info = env.reset()
    env.close()


@pytest.mark.parametrize(("task", "base_id"), [("CartPole", "CartPole-v1"), ("Acrobot", "Acrobot-v1")])
def test_dynamics_and_rewards_are_gymnasium_s(task, base_id):
    ours, theirs = gym.make(f"pomdp/{task}NoVel-v0"), gym.make(base_id)
    _, info = ours.reset(seed=3)
    full, _ = theirs.reset(seed=3)
    for action in [0, 1, 1, 0, 1]:
        _, reward, *_, info = ours.step(action)
        full, expected_reward, *_ = theirs.step(action)
        np.testing.assert_array_equal(info["state"], full)
        assert reward == expected_reward


def test_pendulum_action_is_rescaled_to_unit_range():
    env = gym.make("pomdp/PendulumNoVel-v0")
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
    env.reset(seed=0)
    env.step(np.array([1.0], dtype=np.float32))
    assert env.unwrapped.last_u == pytest.approx(2.0)  # full torque


def test_lunar_lander_registered_only_with_box2d():
    import envs

    assert ("pomdp/LunarLanderNoVel-v0" in envs.SUITE) == has_box2d()


def test_unknown_task():
    with pytest.raises(ValueError, match=r"task must be one of \('CartPole', .*\), got 'Hopper'"):
        make_no_velocity("Hopper")
