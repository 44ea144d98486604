"""CountRecall: oracle reaches 1, answering the binomial mode attains the exact memoryless bound."""

import math

import numpy as np
import pytest

from envs.memory.count_recall import CountRecallEnv, binomial_mode_probability


def oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer the true count of the queried symbol during queries, anything during the stream."""
    is_query = obs[-1] == 1.0
    return int(state[1 + int(np.argmax(obs[:-1]))]) if is_query else 0


def make_memoryless(env: CountRecallEnv):
    """Answer the most likely count of any symbol, whatever the query."""
    p = 1.0 / env.n_symbols
    n = env.stream_length
    mode = max(range(n + 1), key=lambda c: math.comb(n, c) * p**c * (1 - p) ** (n - c))
    return lambda obs, state: mode


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_oracle_reaches_optimal_return(level, mean_return):
    env = CountRecallEnv(level)
    assert mean_return(env, oracle, 20) == pytest.approx(env.optimal_return) == 1.0


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_memoryless_policy_does_not_beat_bound(level, mean_return):
    env = CountRecallEnv(level)
    value = mean_return(env, make_memoryless(env), 1500)
    assert value <= env.memoryless_return + 0.04
    assert value == pytest.approx(env.memoryless_return, abs=0.04)


def test_binomial_mode_probability():
    assert binomial_mode_probability(4, 0.5) == pytest.approx(6 / 16)
    assert binomial_mode_probability(1, 0.25) == pytest.approx(0.75)


def test_phases_and_counts():
    env = CountRecallEnv(n_symbols=2, stream_length=3, n_queries=1)
    obs, info = env.reset(seed=5)
    stream = [int(np.argmax(obs))]
    assert obs[-1] == 0.0
    assert info["state"].sum() == 1
    for _ in range(2):
        obs, reward, *_ = env.step(0)
        assert reward == 0.0  # answers during the stream are ignored
        stream.append(int(np.argmax(obs)))
    obs, *_ = env.step(0)
    assert obs[-1] == 1.0  # the query
    query = int(np.argmax(obs[:-1]))
    obs, reward, terminated, _, info = env.step(stream.count(query))
    assert (reward, terminated) == (1.0, True)
    np.testing.assert_array_equal(info["state"], [4, stream.count(0), stream.count(1)])
    assert not obs.any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_symbols": 1}, r"n_symbols must be an integer >= 2, got 1"),
        ({"stream_length": 0}, r"stream_length must be an integer >= 1, got 0"),
        ({"n_queries": -1}, r"n_queries must be an integer >= 1, got -1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CountRecallEnv(**kwargs)
