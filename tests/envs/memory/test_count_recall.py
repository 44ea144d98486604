"""CountRecall: rewards, states and the query flag against a re-implementation of its rule; the binomial bound."""

import numpy as np
import pytest

from envs.memory.count_recall import CountRecallEnv, binomial_mode_probability
from tests.envs.memory.symbol_tasks import assert_follows_rule, play, random_actions, symbol_stream


def answers(env: CountRecallEnv, symbols: np.ndarray) -> list[int]:
    """During the queries, how often the queried symbol appeared in the stream (0 during the stream)."""
    stream = symbols[: env.stream_length].tolist()
    return [0] * env.stream_length + [stream.count(query) for query in symbols[env.stream_length :]]


def rule(env: CountRecallEnv, symbols: np.ndarray, actions: list[int]) -> tuple[list[float], list[list[int]]]:
    """1 / n_queries for each right count; state (step, count_0, ..., count_{n-1}) over the stream shown so far."""
    right = answers(env, symbols)
    rewards = [1.0 / env.n_queries if t >= env.stream_length and a == right[t] else 0.0 for t, a in enumerate(actions)]
    seen = [symbols[: min(t + 1, env.stream_length)].tolist() for t in range(env.max_episode_steps + 1)]
    return rewards, [[t, *(shown.count(s) for s in range(env.n_symbols))] for t, shown in enumerate(seen)]


@pytest.mark.parametrize(
    "kwargs", [{"level": "easy"}, {"level": "hard"}, {"n_symbols": 2, "stream_length": 1, "n_queries": 3}]
)
def test_follows_its_rule(kwargs):
    assert_follows_rule(CountRecallEnv(**kwargs), answers, rule)


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_query_flag_marks_the_queries(level):
    env = CountRecallEnv(level)
    episode = play(env, 2, random_actions(env, 2))
    flags = [0.0] * env.stream_length + [1.0] * env.n_queries + [0.0]  # blank after the last answer
    assert episode.observations[:, -1].tolist() == flags
    queries = symbol_stream(2, env.n_symbols, env.max_episode_steps)[env.stream_length :]
    np.testing.assert_array_equal(episode.observations[env.stream_length : -1, :-1], np.eye(env.n_symbols)[queries])


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
