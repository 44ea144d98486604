"""RepeatPrevious: rewards and states against a re-implementation of its rule, the reward schedule, state names."""

import numpy as np
import pytest

from envs.memory.repeat_previous import RepeatPreviousEnv
from tests.envs.memory.symbol_tasks import assert_follows_rule


def answers(env: RepeatPreviousEnv, symbols: np.ndarray) -> list[int]:
    """The symbol shown k steps earlier (0 before there is one)."""
    return [int(symbols[t - env.k]) if t >= env.k else 0 for t in range(env.length)]


def rule(env: RepeatPreviousEnv, symbols: np.ndarray, actions: list[int]) -> tuple[list[float], list[list[int]]]:
    """1 / (length - k) for repeating the symbol shown k steps earlier; state (step, lag_0, ..., lag_k)."""
    k, length, none = env.k, env.length, env.n_symbols
    rewards = [1.0 / (length - k) if t >= k and a == symbols[t - k] else 0.0 for t, a in enumerate(actions)]
    lags = [[int(symbols[t - i]) if 0 <= t - i < length else none for i in range(k + 1)] for t in range(length + 1)]
    return rewards, [[t, *lag] for t, lag in enumerate(lags)]


@pytest.mark.parametrize("kwargs", [{"level": "easy"}, {"level": "hard"}, {"k": 1, "n_symbols": 2, "length": 2}])
def test_follows_its_rule(kwargs):
    assert_follows_rule(RepeatPreviousEnv(**kwargs), answers, rule)


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
