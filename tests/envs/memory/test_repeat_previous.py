"""RepeatPrevious: oracle reaches 1, repeating the current symbol gets 1 / n_symbols, bad arguments."""

import numpy as np
import pytest

from envs.memory.repeat_previous import RepeatPreviousEnv


def oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer lag_k, the symbol shown k steps ago (any symbol before that exists)."""
    target = int(state[-1])
    return target if target < obs.shape[0] else 0


def memoryless(obs: np.ndarray, state: np.ndarray) -> int:
    """Repeat the symbol in view."""
    return int(np.argmax(obs))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_oracle_reaches_optimal_return(level, mean_return):
    env = RepeatPreviousEnv(level)
    assert mean_return(env, oracle, 10) == pytest.approx(env.optimal_return) == 1.0


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_memoryless_policy_does_not_beat_bound(level, mean_return):
    env = RepeatPreviousEnv(level)
    value = mean_return(env, memoryless, 1000)
    assert value <= env.memoryless_return + 0.03
    assert value == pytest.approx(env.memoryless_return, abs=0.03)


def test_reward_schedule():
    env = RepeatPreviousEnv(k=2, n_symbols=3, length=4)
    obs, info = env.reset(seed=3)
    shown = [int(np.argmax(obs))]
    rewards = []
    for t in range(4):
        action = shown[t - 2] if t >= 2 else shown[t]
        obs, reward, terminated, _, info = env.step(action)
        rewards.append(reward)
        if not terminated:
            shown.append(int(np.argmax(obs)))
    assert rewards[:2] == [0.0, 0.0]  # nothing to repeat yet, whatever the action
    assert rewards[2:] == [0.5, 0.5]
    np.testing.assert_array_equal(obs, np.zeros(3))  # the final observation is blank
    np.testing.assert_array_equal(info["state"], [4, 3, shown[3], shown[2]])


def test_state_names_match_state():
    env = RepeatPreviousEnv("easy")
    _, info = env.reset(seed=0)
    assert env.state_names == ("step", "lag_0", "lag_1", "lag_2")
    np.testing.assert_array_equal(info["state"][2:], [env.n_symbols, env.n_symbols])  # nothing shown yet


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, r"k must be an integer >= 1, got 0"),
        ({"n_symbols": 1}, r"n_symbols must be an integer >= 2, got 1"),
        ({"k": 4, "length": 4}, r"length must be an integer >= 5, got 4"),
        ({"level": "Easy"}, r"level must be one of \('easy', 'medium', 'hard'\), got 'Easy'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RepeatPreviousEnv(**kwargs)
