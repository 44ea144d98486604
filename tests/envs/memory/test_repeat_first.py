"""RepeatFirst: rewards and states against a re-implementation of its rule, the memoryless bound's formula."""

import numpy as np
import pytest

from envs.memory.repeat_first import RepeatFirstEnv
from tests.envs.memory.symbol_tasks import assert_follows_rule


def answers(env: RepeatFirstEnv, symbols: np.ndarray) -> list[int]:
    """The first symbol, at every step."""
    return [int(symbols[0])] * env.length


def rule(env: RepeatFirstEnv, symbols: np.ndarray, actions: list[int]) -> tuple[list[float], list[list[int]]]:
    """1 / length for each repetition of the first symbol; state (step, first_symbol, symbol in view)."""
    rewards = [1.0 / env.length if a == symbols[0] else 0.0 for a in actions]
    shown = [*symbols.tolist(), env.n_symbols]  # nothing in view after the last step
    return rewards, [[t, int(symbols[0]), shown[t]] for t in range(env.length + 1)]


@pytest.mark.parametrize("kwargs", [{"level": "easy"}, {"level": "medium"}, {"n_symbols": 9, "length": 2}])
def test_follows_its_rule(kwargs):
    assert_follows_rule(RepeatFirstEnv(**kwargs), answers, rule)


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
