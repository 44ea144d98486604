"""PointRecall: oracle reaches 1, a memoryless policy gets at most reward_width / 2, frozen delay."""

import numpy as np
import pytest

from envs.memory.point_recall import PointRecallEnv


def oracle(obs: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Jump to the target read from the true state (the move is 2a)."""
    position, target, _ = state
    return np.array([(target - position) / 2.0], dtype=np.float32)


def memoryless(obs: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Go to the middle of the line, the best place when the target is unknown."""
    return np.array([-obs[0] / 2.0], dtype=np.float32)


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_oracle_reaches_optimal_return(level, mean_return):
    env = PointRecallEnv(level)
    assert mean_return(env, oracle, 20) == pytest.approx(env.optimal_return, abs=1e-5)
    assert env.optimal_return == 1.0


@pytest.mark.parametrize("reward_width", [0.5, 1.0])
def test_memoryless_policy_does_not_beat_bound(reward_width, mean_return):
    env = PointRecallEnv("easy", reward_width=reward_width)
    value = mean_return(env, memoryless, 2000)
    assert env.memoryless_return == reward_width / 2
    assert value <= env.memoryless_return + 0.03
    assert value == pytest.approx(env.memoryless_return, abs=0.03)


def test_target_shown_once_and_point_frozen_during_delay():
    env = PointRecallEnv(delay=2, reach_steps=1)
    obs, info = env.reset(seed=0)
    position, target, _ = info["state"]
    np.testing.assert_array_equal(obs, np.array([position, target, 1.0, 0.0], dtype=np.float32))
    for _ in range(3):  # the cue step and the two delay steps ignore actions
        obs, reward, *_ = env.step(np.ones(1, dtype=np.float32))
        assert reward == 0.0
        assert obs[0] == position
        assert obs[1] == 0.0
        assert obs[2] == 0.0
    assert obs[3] == 1.0  # go
    _, reward, terminated, _, info = env.step(np.array([1.0], dtype=np.float32))
    assert terminated
    assert info["state"][0] == 1.0
    assert reward == pytest.approx(max(0.0, 1.0 - abs(1.0 - target) / 0.5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delay": -1}, r"delay must be an integer >= 0, got -1"),
        ({"reach_steps": 0}, r"reach_steps must be an integer >= 1, got 0"),
        ({"reward_width": 0.0}, r"reward_width must be in \(0, 1\], got 0.0"),
        ({"reward_width": 1.5}, r"reward_width must be in \(0, 1\], got 1.5"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PointRecallEnv(**kwargs)


def test_bad_action():
    env = PointRecallEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be a finite array of shape \(1,\)"):
        env.step(np.array([np.nan], dtype=np.float32))
