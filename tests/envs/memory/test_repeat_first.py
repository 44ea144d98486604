"""RepeatFirst: oracle reaches 1, repeating the current symbol attains the exact memoryless bound."""

import numpy as np
import pytest

from envs.memory.repeat_first import RepeatFirstEnv


def oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer the first symbol, read from the true state."""
    return int(state[1])


def memoryless(obs: np.ndarray, state: np.ndarray) -> int:
    """Repeat the symbol in view: right at step 0, a 1 / n_symbols guess afterwards."""
    return int(np.argmax(obs))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_oracle_reaches_optimal_return(level, mean_return):
    env = RepeatFirstEnv(level)
    assert mean_return(env, oracle, 10) == pytest.approx(env.optimal_return) == 1.0


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_memoryless_policy_does_not_beat_bound(level, mean_return):
    env = RepeatFirstEnv(level)
    value = mean_return(env, memoryless, 1000)
    assert value <= env.memoryless_return + 0.03
    assert value == pytest.approx(env.memoryless_return, abs=0.03)


def test_memoryless_bound_formula():
    env = RepeatFirstEnv(n_symbols=2, length=3)
    assert env.memoryless_return == pytest.approx((1 + 2 / 2) / 3)


def test_first_symbol_only_shown_first():
    env = RepeatFirstEnv(length=2)
    obs, info = env.reset(seed=0)
    assert np.argmax(obs) == info["state"][1] == info["state"][2]
    obs, _, _, _, info = env.step(0)
    assert info["state"][2] == np.argmax(obs)  # the distractor in view
    obs, _, terminated, _, info = env.step(0)
    assert terminated
    assert not obs.any()
    assert info["state"][2] == env.n_symbols


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_symbols": 0}, r"n_symbols must be an integer >= 2, got 0"),
        ({"length": 1}, r"length must be an integer >= 2, got 1"),
        ({"level": None}, r"level must be one of \('easy', 'medium', 'hard'\), got None"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RepeatFirstEnv(**kwargs)
