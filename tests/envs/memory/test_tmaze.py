"""T-maze: oracle reaches 1, a memoryless guess gets 0.5, walls, truncation, bad arguments."""

import numpy as np
import pytest

from envs.memory.tmaze import DOWN, FORWARD, UP, TMazeEnv


def oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Walk forward, then turn to the cue read from the true state."""
    _position, cue = state
    return FORWARD if obs[3] == 0.0 else UP + int(cue)


def memoryless(obs: np.ndarray, state: np.ndarray) -> int:
    """Walk forward and always turn up: the best a policy without memory can do."""
    return FORWARD if obs[3] == 0.0 else UP


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_oracle_reaches_optimal_return(level, mean_return):
    env = TMazeEnv(level)
    assert mean_return(env, oracle, 20) == env.optimal_return == 1.0


def test_memoryless_policy_does_not_beat_bound(mean_return):
    env = TMazeEnv("easy")
    value = mean_return(env, memoryless, 2000)
    assert value <= env.memoryless_return + 0.04  # 4 standard errors of a Bernoulli(0.5) mean
    assert value == pytest.approx(env.memoryless_return, abs=0.04)  # and the bound is attained


def test_cue_only_visible_at_start():
    env = TMazeEnv(corridor_length=3)
    obs, info = env.reset(seed=1)
    cue = info["state"][1]
    assert obs[cue] == 1.0
    assert obs.sum() == 1.0
    observations = []
    for _ in range(3):
        obs, *_ = env.step(FORWARD)
        observations.append(obs)
    np.testing.assert_array_equal(observations, [[0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1]])


def test_walls_are_no_ops_and_wrong_turn_scores_zero():
    env = TMazeEnv(corridor_length=2)
    _, info = env.reset(seed=0)
    cue = int(info["state"][1])
    _, reward, terminated, _, info = env.step(UP)  # wall in the corridor
    assert (reward, terminated, info["state"][0]) == (0.0, False, 0)
    env.step(FORWARD)
    env.step(FORWARD)
    _, _, terminated, _, info = env.step(FORWARD)  # wall at the junction
    assert not terminated
    assert info["state"][0] == 2
    _, reward, terminated, truncated, _ = env.step(DOWN if cue == 0 else UP)
    assert (reward, terminated, truncated) == (0.0, True, False)


def test_truncates_after_max_episode_steps():
    env = TMazeEnv(corridor_length=1, max_episode_steps=3)
    env.reset(seed=0)
    flags = [env.step(FORWARD)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"corridor_length": -3}, r"corridor_length must be an integer >= 1, got -3"),
        ({"corridor_length": 2.5}, r"corridor_length must be an integer >= 1, got 2.5"),
        ({"corridor_length": 4, "max_episode_steps": 4}, r"max_episode_steps must be an integer >= 5, got 4"),
        ({"level": "extreme"}, r"level must be one of \('easy', 'medium', 'hard'\), got 'extreme'"),
        ({"render_mode": "human"}, r"render_mode must be None or one of \['rgb_array'\], got 'human'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TMazeEnv(**kwargs)


def test_invalid_action():
    env = TMazeEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be in Discrete\(3\), got 3"):
        env.step(3)
