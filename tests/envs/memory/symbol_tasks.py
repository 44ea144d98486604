"""The symbol-stream tasks as test cases: the seeded stream they must show, fixed-action episodes, scripted policies.

`symbol_stream` is the independent oracle of the stream: SplitMix64 in plain Python integers, started at
`mix64(seed)` by `reset(seed=seed)`, one 64-bit word per symbol taken modulo `n_symbols` (`envs/memory/stream.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pytest

from envs.memory.base import LEVEL_NAMES
from envs.memory.count_recall import CountRecallEnv
from envs.memory.repeat_first import RepeatFirstEnv
from envs.memory.repeat_previous import RepeatPreviousEnv
from envs.memory.symbols import SymbolStreamEnv

# policy(observation, true state) -> action; a memoryless policy must ignore the state.
Policy = Callable[[np.ndarray, np.ndarray], Any]


def splitmix64_words(seed: int, size: int) -> list[int]:
    """The first `size` words of the SplitMix64 stream seeded with `seed`, computed with Python integers."""
    mask = (1 << 64) - 1

    def mix(z: int) -> int:
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    counter = mix(seed & mask)
    return [mix((counter + (j + 1) * 0x9E3779B97F4A7C15) & mask) for j in range(size)]


def symbol_stream(seed: int, n_symbols: int, size: int) -> np.ndarray:
    """The (size,) symbols an env reset with `seed` shows, drawn as the task must draw them."""
    return np.array([word % n_symbols for word in splitmix64_words(seed, size)], dtype=np.int64)


class Episode(NamedTuple):
    """One episode played with fixed actions: T actions, T + 1 observations and states."""

    observations: np.ndarray  # (T + 1, F)
    states: np.ndarray  # (T + 1, S)
    rewards: list[float]  # (T,)
    terminated: list[bool]  # (T,)
    truncated: list[bool]  # (T,)


def play(env: SymbolStreamEnv, seed: int, actions: Sequence[int]) -> Episode:
    """Reset `env` with `seed` and take `actions` (one per step of the episode)."""
    obs, info = env.reset(seed=seed)
    observations, states, rewards, terminated, truncated = [obs], [info["state"]], [], [], []
    for action in actions:
        obs, reward, done, cut, info = env.step(action)
        observations.append(obs)
        states.append(info["state"])
        rewards.append(reward)
        terminated.append(done)
        truncated.append(cut)
    return Episode(np.array(observations), np.array(states), rewards, terminated, truncated)


def random_actions(env: SymbolStreamEnv, seed: int) -> list[int]:
    """One seeded random valid action per step of an episode."""
    return np.random.default_rng(seed).integers(int(env.action_space.n), size=env.max_episode_steps).tolist()


# rule(env, symbols, actions) -> (rewards, states): a task's rule re-implemented on the (T,) stream and T actions,
# giving the T rewards and the (T + 1, S) states; answers(env, symbols) -> the T rewarded actions.
Rule = Callable[[Any, np.ndarray, list[int]], tuple[list[float], list[list[int]]]]
Answers = Callable[[Any, np.ndarray], list[int]]


def assert_follows_rule(env: SymbolStreamEnv, answers: Answers, rule: Rule, seeds: Sequence[int] = (0, 1, 2)) -> None:
    """Play seeded episodes, about half the actions the rewarded ones, and compare rewards and states to `rule`."""
    n_rewarded = 0
    for seed in seeds:
        symbols = symbol_stream(seed, env.n_symbols, env.max_episode_steps)
        rng = np.random.default_rng(seed)
        n_actions = int(env.action_space.n)
        actions = [a if rng.random() < 0.5 else int(rng.integers(n_actions)) for a in answers(env, symbols)]
        episode = play(env, seed, actions)
        rewards, states = rule(env, symbols, actions)
        assert episode.rewards == rewards  # exactly: the same floats
        np.testing.assert_array_equal(episode.states, states)
        n_rewarded += sum(reward > 0 for reward in rewards)
    assert n_rewarded > 0  # the rule's rewarded branch was exercised


def repeat_previous_oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer lag_k, the symbol shown k steps ago (any symbol before that exists)."""
    target = int(state[-1])
    return target if target < obs.shape[0] else 0


def repeat_first_oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer the first symbol, read from the true state."""
    return int(state[1])


def count_recall_oracle(obs: np.ndarray, state: np.ndarray) -> int:
    """Answer the true count of the queried symbol during queries, anything during the stream."""
    is_query = obs[-1] == 1.0
    return int(state[1 + int(np.argmax(obs[:-1]))]) if is_query else 0


def repeat_symbol_in_view(env: SymbolStreamEnv) -> Policy:
    """Repeat the symbol in view: for RepeatFirst right at step 0, a 1 / n_symbols guess afterwards."""
    return lambda obs, state: int(np.argmax(obs))


def answer_binomial_mode(env: SymbolStreamEnv) -> Policy:
    """CountRecall: answer the most likely count of any symbol, whatever the query."""
    assert isinstance(env, CountRecallEnv)
    p, n = 1.0 / env.n_symbols, env.stream_length
    mode = max(range(n + 1), key=lambda c: math.comb(n, c) * p**c * (1 - p) ** (n - c))
    return lambda obs, state: mode


class SymbolTask(NamedTuple):
    """A task with the policies that attain its bounds and how closely a sampled mean must match them."""

    env_class: type[SymbolStreamEnv]
    oracle: Policy
    n_oracle_episodes: int
    memoryless: Callable[[SymbolStreamEnv], Policy]  # env -> the best memoryless policy for its parameters
    memoryless_levels: tuple[str, ...]  # the levels where the memoryless bound is measured (hard is slow)
    n_memoryless_episodes: int
    tolerance: float  # about 4 standard errors of the sampled mean return


TASKS = {
    "RepeatPrevious": SymbolTask(
        RepeatPreviousEnv, repeat_previous_oracle, 10, repeat_symbol_in_view, ("easy", "medium"), 1000, 0.03
    ),
    "RepeatFirst": SymbolTask(
        RepeatFirstEnv, repeat_first_oracle, 10, repeat_symbol_in_view, ("easy", "medium"), 1000, 0.03
    ),
    "CountRecall": SymbolTask(CountRecallEnv, count_recall_oracle, 20, answer_binomial_mode, LEVEL_NAMES, 1500, 0.04),
}
TASK_LEVELS = [pytest.param(task, level, id=f"{name}-{level}") for name, task in TASKS.items() for level in LEVEL_NAMES]
